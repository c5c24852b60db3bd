// Fixtures are imported as the raw bytes a platform sends (`?raw`), to sign them as they are.
declare module '*?raw' {
  const text: string;
  export default text;
}

// The dashboard's browser scripts (public/*.js) that unit tests load for what they set on globalThis.
declare module '*/public/email-liquid.js';
