// Input of email designs (subject, preheader, Liquid HTML, and the block editor's project).
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';

/** Largest block editor project kept with a design, as JSON text (the HTML it exports is bounded apart). */
export const EDITOR_PROJECT_MAX_CHARS = 500_000;
// A project holds pages of frames, each one component tree; designs use one page and one frame.
const MAX_PAGES = 10;

/**
 * The block editor's (GrapesJS) project that a design's HTML was exported from. Only its
 * outline is checked: the editor reads the rest, and sanitizes it before it shows anything.
 */
export const EditorProject = z
  .object(
    {
      pages: z
        .array(
          z.looseObject({
            frames: z
              .array(z.looseObject({ component: z.looseObject({}) }), { error: 'Each page needs its frames' })
              .min(1)
              .max(MAX_PAGES),
          }),
          {
            error: 'The visual design needs its pages',
          },
        )
        .min(1)
        .max(MAX_PAGES),
      styles: z.array(z.unknown()).optional(),
    },
    { error: 'Send the visual design as an editor project (a JSON object with its pages)' },
  )
  .loose()
  .superRefine((project, ctx) => {
    if (JSON.stringify(project).length > EDITOR_PROJECT_MAX_CHARS) ctx.addIssue({ code: 'custom', message: `Keep the visual design under ${EDITOR_PROJECT_MAX_CHARS / 1000} KB` });
  });
export type EditorProject = z.infer<typeof EditorProject>;

// A form sends the project as JSON text (blank when the HTML view is what is saved); the
// request's body limit (1 MB) bounds it before it is parsed.
const ProjectField = z.preprocess((value) => {
  if (value === '') return null;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}, EditorProject.nullable());

export const EmailContentInput = z
  .object({
    name: z.string().trim().min(1, { message: 'Name the design' }).max(100),
    subject: z.string().trim().min(1, { message: 'Write a subject line' }).max(300),
    preheader: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), z.string().trim().max(300).nullable().default(null)),
    html: z.string().min(1, { message: 'The email has no content' }).max(200_000, { message: 'Keep the HTML under 200 KB (Gmail clips long emails anyway)' }),
    // The block editor's project that `html` was exported from; absent or null for HTML written by hand.
    project: ProjectField.optional(),
  })
  .strict();
export type EmailContentInput = z.infer<typeof EmailContentInput>;

export const EmailContentPatch = EmailContentInput.partial().strict();
export type EmailContentPatch = z.infer<typeof EmailContentPatch>;

export const EmailPreviewInput = EmailContentInput.pick({ subject: true, preheader: true, html: true });

export const TestSendInput = z.object({ to: Email });
