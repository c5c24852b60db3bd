// Fixtures are imported as the raw bytes a platform sends (`?raw`), to sign them as they are.
declare module '*?raw' {
  const text: string;
  export default text;
}
