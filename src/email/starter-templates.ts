// The starter email designs shipped as static assets in public/templates (listed in
// index.json), offered by the design editor and the campaign builder.
import { z } from 'zod';

const StarterIndex = z.array(z.object({ id: z.string(), name: z.string(), description: z.string(), subject: z.string(), preheader: z.string().nullable().optional(), file: z.string() }));
export type Starter = z.infer<typeof StarterIndex>[number];

const BLANK = {
  subject: 'News from {{ shop.name }}',
  preheader: null,
  html: '<html><body style="margin:0;padding:24px;font-family:Arial,sans-serif"><h1>Hello {{ contact.first_name | default: "there" }}</h1><p>Write your message here.</p><p style="font-size:12px;color:#6b7280"><a href="{{ unsubscribe_url }}">Unsubscribe</a> · {{ shop.postal_address }}</p></body></html>',
};

/** The starters (none when the assets are not there); `origin` is any URL of this deployment. */
export async function loadStarters(assets: Fetcher, origin: string): Promise<Starter[]> {
  try {
    const res = await assets.fetch(new URL('/templates/index.json', origin));
    return res.ok ? StarterIndex.parse(await res.json()) : [];
  } catch {
    return [];
  }
}

/** The subject, preheader and HTML of a starter (a blank email when `id` names none). */
export async function starterContent(assets: Fetcher, origin: string, id: string | undefined): Promise<{ subject: string; preheader: string | null; html: string }> {
  const starter = (await loadStarters(assets, origin)).find((entry) => entry.id === id);
  if (!starter) return BLANK;
  const res = await assets.fetch(new URL(`/templates/${starter.file}`, origin));
  return res.ok ? { subject: starter.subject, preheader: starter.preheader ?? null, html: await res.text() } : BLANK;
}
