// The flows API's and pages' inputs.
import { z } from 'zod';
import { FLOW_KINDS } from '../db/schema';
import { FlowDefinition } from './flow-definition';

const Name = z.string().trim().min(1, { message: 'Name the flow' }).max(100);

export const FlowInput = z.object({ kind: z.enum(FLOW_KINDS, { message: `Choose one of ${FLOW_KINDS.join(', ')}` }), name: Name.optional(), definition: FlowDefinition.optional() }).strict();
export type FlowInput = z.infer<typeof FlowInput>;

export const FlowPatch = z.object({ name: Name.optional(), definition: FlowDefinition.optional() }).strict();
export type FlowPatch = z.infer<typeof FlowPatch>;

/** The create wizard's message stage: the flow's name, and the starter design (with its subject) or one of the workspace's. */
export const WizardMessage = z.object({
  name: Name,
  design: z.string().trim().min(1, { message: 'Choose a design' }).max(64),
  subject: z.string().trim().min(1, { message: 'Write a subject line' }).max(300),
});
