// The flows API's and pages' inputs.
import { z } from 'zod';
import { FLOW_KINDS } from '../db/schema';
import { FlowDefinition } from './flow-definition';

const Name = z.string().trim().min(1, { message: 'Name the flow' }).max(100);

export const FlowInput = z.object({ kind: z.enum(FLOW_KINDS, { message: `Choose one of ${FLOW_KINDS.join(', ')}` }), name: Name.optional(), definition: FlowDefinition.optional() }).strict();
export type FlowInput = z.infer<typeof FlowInput>;

export const FlowPatch = z.object({ name: Name.optional(), definition: FlowDefinition.optional() }).strict();
export type FlowPatch = z.infer<typeof FlowPatch>;
