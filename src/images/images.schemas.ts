// What deleting an image takes: `force` (the API's query, the page's form) deletes one that designs still use.
import { z } from 'zod';

export const ImageDeleteInput = z.object({
  force: z
    .enum(['true', 'false'], { message: 'Use true or false.' })
    .default('false')
    .transform((value) => value === 'true'),
});
