// Imported first by main.tsx, before any zod schema is built: the page's CSP forbids eval, so zod
// must not try `new Function` to compile its fast object parsers (each try is a CSP violation).
import { z } from 'zod';

z.config({ jitless: true });
