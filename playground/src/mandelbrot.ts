/**
 * The Mandelbrot set, one tile at a time. `renderTile` is an `sk()` function: the Render panel
 * maps it over every tile with `pool.unorderedImap`, and calls the very same function on the
 * main thread for comparison. A tile comes back as its own RGBA pixels (w × h × 4 bytes), ready
 * for `putImageData`: the transfer per tile stays small and the page does no colouring.
 *
 * This module holds only what a worker needs (no DOM code): the transform prunes it for the
 * worker anyway, but keeping it pure keeps that obvious.
 */
import { sk } from '@suitkaise/core';

/** The part of the plane drawn, and how hard to look. */
export interface View {
  /** Image size in pixels. */
  width: number;
  height: number;
  /** The plane's point at the image's centre. */
  centerX: number;
  centerY: number;
  /** Plane units per pixel. */
  scale: number;
  /** Iterations before a point counts as inside the set. */
  maxIterations: number;
}

/** One tile of a render: its place in the image, and the view it belongs to. */
export interface TileJob {
  index: number;
  x: number;
  y: number;
  w: number;
  h: number;
  view: View;
}

/** A rendered tile: where it goes, its pixels, and how many iterations it took. */
export interface TilePixels {
  index: number;
  x: number;
  y: number;
  w: number;
  h: number;
  /** RGBA, row by row: `w * h * 4` bytes. */
  pixels: Uint8ClampedArray;
  iterations: number;
  /** Milliseconds this tile took, measured where it ran. */
  elapsed: number;
}

/** The default view: the whole set, 800 × 600, looked at hard enough to keep two cores busy. */
export function defaultView(maxIterations = 3000): View {
  return { width: 800, height: 600, centerX: -0.6, centerY: 0, scale: 3.2 / 800, maxIterations };
}

/** The view split into tiles of `size` × `size` pixels (smaller at the right and bottom edges). */
export function tilesOf(view: View, size = 50): TileJob[] {
  const jobs: TileJob[] = [];
  for (let y = 0; y < view.height; y += size) {
    for (let x = 0; x < view.width; x += size) {
      jobs.push({ index: jobs.length, x, y, w: Math.min(size, view.width - x), h: Math.min(size, view.height - y), view });
    }
  }
  return jobs;
}

/** A colour for an escape after `n` of `max` iterations (smooth `mu`), black inside the set. */
export function shade(mu: number, max: number, out: Uint8ClampedArray, at: number): void {
  if (mu >= max) {
    out[at] = 12; out[at + 1] = 10; out[at + 2] = 30; out[at + 3] = 255;
    return;
  }
  const t = Math.sqrt(mu / 64) % 1;
  // A cosine palette: indigo → pink → amber.
  out[at] = 128 + 127 * Math.cos(6.2832 * (t + 0.55));
  out[at + 1] = 110 + 110 * Math.cos(6.2832 * (t + 0.75));
  out[at + 2] = 150 + 105 * Math.cos(6.2832 * (t + 0.05));
  out[at + 3] = 255;
}

/** Renders one tile: plain escape-time iteration with smooth colouring. Runs in a pool worker or on the page. */
export const renderTile = sk((job: TileJob): TilePixels => {
  const began = performance.now();
  const { view, x, y, w, h } = job;
  const max = view.maxIterations;
  const pixels = new Uint8ClampedArray(w * h * 4);
  const left = view.centerX - (view.width / 2) * view.scale;
  const top = view.centerY - (view.height / 2) * view.scale;
  let iterations = 0;
  for (let py = 0; py < h; py += 1) {
    const ci = top + (y + py) * view.scale;
    for (let px = 0; px < w; px += 1) {
      const cr = left + (x + px) * view.scale;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < max) {
        const zr2 = zr * zr;
        const zi2 = zi * zi;
        if (zr2 + zi2 > 256) break;
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        n += 1;
      }
      iterations += n;
      const mu = n >= max ? max : n + 1 - Math.log2(Math.log2(Math.sqrt(zr * zr + zi * zi)));
      shade(mu, max, pixels, (py * w + px) * 4);
    }
  }
  return { index: job.index, x, y, w, h, pixels, iterations, elapsed: performance.now() - began };
});
