// Style sheets the page's code imports: esbuild bundles them into the page's one style sheet.
declare module '*.css';
