/**
 * The one vocabulary both forms use for what a node of the value is: the structured-clone form's
 * classifier (classify.ts) and walks, and the byte form's writers (bytes-kinds.ts, bytes-encode.ts,
 * bytes-plan.ts). The first kinds say what the object's slots make it (as structured clone
 * decides); the last ones what the serializer does instead of copying it.
 */

/** Own enumerable string-keyed properties: plain objects, class instances. */
export const OBJECT = 0;
/** Array elements by index. */
export const ARRAY = 1;
/** Map keys and values. */
export const MAP = 2;
/** Set members. */
export const SET = 3;
/** A Date. */
export const DATE = 4;
/** A RegExp (its `lastIndex` travels beside it). */
export const REGEXP = 5;
/** A typed array or DataView (checked per instance: its buffer may be detached or too short). */
export const VIEW = 6;
/** An ArrayBuffer (checked per instance: it may be detached). */
export const ARRAY_BUFFER = 7;
/** A SharedArrayBuffer: shared by the structured-clone form, refused by the byte form. */
export const SHARED_BUFFER = 8;
/** A boxed primitive (`Object(1)`, `Object('s')`, `Object(false)`, `Object(1n)`). */
export const BOXED = 9;
/** A web platform object structured clone copies (Blob, File, ImageData, CryptoKey, DOMRect…). */
export const HOST = 10;
/** A MessagePort: it moves in the message's transfer list. */
export const PORT = 11;
/** An `Error`: substituted by an `ErrorRecord`. */
export const ERROR = 12;
/** A registered class with `toState()` / `static fromState()`, or a codec's value: substituted by a `StateRecord`. */
export const STATE = 13;
/** One of the realm's own objects (`Object.prototype`): sent by name, the receiver's own arrives. */
export const INTRINSIC = 14;
/** Cannot be sent; the classifier says why and what to do. */
export const UNSENDABLE = 15;

/** Every node kind. */
export type Kind = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15;

/** Kinds that hold other values the walks visit. */
export const isContainer = (kind: Kind): boolean => kind <= SET;

/** Kinds that hold nothing the walks visit: structured clone copies them as they are (checked, for views and ArrayBuffers). */
export const isLeaf = (kind: Kind): boolean => kind >= DATE && kind <= PORT;

/** Kinds structured clone is given as they are (the rest are substituted or refused). */
export const isClonedAsIs = (kind: Kind): boolean => kind < ERROR;
