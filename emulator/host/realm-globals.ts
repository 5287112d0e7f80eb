/*
 * The names a machine's realm keeps on its global in a browser (browser-host.ts removes every
 * other): the global properties of ECMAScript (ECMA-262, "Properties of the Global Object")
 * and ECMA-402's Intl — what a node:vm context holds, without Node's console and WebAssembly
 * (the Node realm compiles no wasm either), and with the built-ins newer than Node 20's engine.
 */
export const ECMASCRIPT_GLOBALS: readonly string[] = [
  'globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Date', 'Promise', 'RegExp', 'Proxy', 'Reflect', 'JSON', 'Math', 'Intl', 'Atomics',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'SuppressedError',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float16Array', 'Float32Array', 'Float64Array', 'Uint8ClampedArray', 'BigUint64Array', 'BigInt64Array',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Iterator', 'DisposableStack', 'AsyncDisposableStack',
];
