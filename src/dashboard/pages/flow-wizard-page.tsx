// Marketing → Flows → Create: the three steps merchants know from other tools. Settings
// (trigger, waits, who may receive it), message (name, subject, the starter design or one
// of theirs, from the workspace's sender), then confirm and create, switched on or off.
// Each step's fields ride along in hidden inputs, so nothing is stored until the end.
import type { EmailContentView } from '../../email/email-contents.service';
import { FLOW_KIND_INFO, type FlowDefinition } from '../../flows/flow-definition';
import { type FlowKind, SENDING_FILTERS } from '../../db/schema';
import { CsrfField, Field, type FormErrors, Notice, Select } from '../components';
import { FILTER_LABELS, field, ReentryField, StepList, TriggerFields, triggerSummary } from './flows-pages';

export const FLOW_WIZARD_PATH = '/app/marketing/flows/new';
/** The design choice that makes a copy of the kind's starter design. */
export const STARTER_CHOICE = 'starter';

const STAGES = ['Settings', 'Message', 'Confirm'] as const;
export type WizardStage = 1 | 2 | 3;

// Fields a stage shows itself, so it does not also carry them hidden.
const STAGE_FIELDS: Record<WizardStage, (name: string) => boolean> = {
  1: (name) => name.startsWith('trigger.') || name.startsWith('steps.') || ['sendingFilter', 'reentryDays', 'smartSending', 'exitOnPurchase'].includes(name),
  2: (name) => ['name', 'subject', 'design'].includes(name),
  3: () => false,
};

// `values` come without the CSRF field and the move (the route takes those out).
function Carried({ values, stage }: { values: Record<string, string>; stage: WizardStage }) {
  return (
    <>
      {Object.entries(values)
        .filter(([name]) => name !== 'kind' && !STAGE_FIELDS[stage](name))
        .map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
    </>
  );
}

function Progress({ stage }: { stage: WizardStage }) {
  return (
    <ol class="wizard-steps" aria-label="Steps">
      {STAGES.map((label, index) => (
        <li class={index + 1 === stage ? 'current' : undefined} aria-current={index + 1 === stage ? 'step' : undefined}>
          {`${index + 1}. ${label}`}
        </li>
      ))}
    </ol>
  );
}

const onOff = (value: boolean) => (value ? 'on' : 'off');

function SettingsStage({ definition, values, errors }: { definition: FlowDefinition; values: Record<string, string>; errors: FormErrors }) {
  const error = (path: string) => errors[`definition.${path}`];
  return (
    <>
      <TriggerFields trigger={definition.trigger} values={values} error={error} />
      {definition.steps.map((step, index) =>
        step.type === 'wait' ? (
          <Field
            name={`steps.${index}.hours`}
            type="number"
            label="Wait before the message (hours)"
            value={field(values, `steps.${index}.hours`, String(step.hours))}
            error={error(`steps.${index}.hours`)}
          />
        ) : null,
      )}
      <Select
        id="field-sendingFilter"
        name="sendingFilter"
        label="Who may receive it"
        options={SENDING_FILTERS.map((filter) => [filter, FILTER_LABELS[filter]])}
        value={field(values, 'sendingFilter', definition.sendingFilter)}
      />
      <ReentryField definition={definition} values={values} error={error('reentryDays')} />
      <Select
        id="field-smartSending"
        name="smartSending"
        label="Smart sending (skip contacts who got a message recently)"
        options={[
          ['on', 'On'],
          ['off', 'Off'],
        ]}
        value={field(values, 'smartSending', onOff(definition.smartSending))}
      />
      <Select
        id="field-exitOnPurchase"
        name="exitOnPurchase"
        label="Leave the flow when the contact buys"
        options={[
          ['on', 'Yes'],
          ['off', 'No'],
        ]}
        value={field(values, 'exitOnPurchase', onOff(definition.exitOnPurchase))}
      />
    </>
  );
}

function MessageStage({
  kind,
  values,
  errors,
  designs,
  sender,
  starterSubject,
}: {
  kind: FlowKind;
  values: Record<string, string>;
  errors: FormErrors;
  designs: EmailContentView[];
  sender: { name: string; email: string };
  starterSubject: string;
}) {
  return (
    <>
      <Field name="name" label="Flow name (only you see it)" value={field(values, 'name', FLOW_KIND_INFO[kind].name)} error={errors.name} required />
      <p>
        <strong>From:</strong> {`${sender.name} <${sender.email}>`} <a href="/app/settings/email">Change the sender</a>
      </p>
      <Select
        id="field-design"
        name="design"
        label="Design"
        options={[[STARTER_CHOICE, `The ${FLOW_KIND_INFO[kind].name} starter design (a copy you can edit)`], ...designs.map((design): [string, string] => [design.id, design.name])]}
        value={field(values, 'design', STARTER_CHOICE)}
        error={errors.design}
      />
      <Field name="subject" label="Subject (for the starter design; a design of yours keeps its own)" value={field(values, 'subject', starterSubject)} error={errors.subject} />
    </>
  );
}

/** The create-a-flow wizard at one of its stages. */
export function FlowWizardPage({
  kind,
  stage,
  definition,
  values,
  errors = {},
  designs,
  sender,
  starterSubject,
  csrfToken,
  canSend,
}: {
  kind: FlowKind;
  stage: WizardStage;
  definition: FlowDefinition;
  values: Record<string, string>;
  errors?: FormErrors;
  designs: EmailContentView[];
  sender: { name: string; email: string };
  starterSubject: string;
  csrfToken: string;
  canSend: boolean;
}) {
  const chosen = designs.find((design) => design.id === values.design);
  const shown = chosen ? designs : [...designs, { id: STARTER_CHOICE, name: `${values.name ?? FLOW_KIND_INFO[kind].name}: message 1 (new, from the starter)` } as EmailContentView];
  return (
    <>
      <p class="back-link">
        <a href="/app/marketing/flows">← Flows</a>
      </p>
      <div class="page-header">
        <h1>{`Create a ${FLOW_KIND_INFO[kind].name} flow`}</h1>
        <p class="muted">{FLOW_KIND_INFO[kind].summary}</p>
      </div>
      <Progress stage={stage} />
      <form method="post" action={FLOW_WIZARD_PATH} class="card flow-wizard">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="kind" value={kind} />
        <Carried values={values} stage={stage} />
        {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
        <h2>{STAGES[stage - 1]}</h2>
        {stage === 1 ? <SettingsStage definition={definition} values={values} errors={errors} /> : null}
        {stage === 2 ? <MessageStage kind={kind} values={values} errors={errors} designs={designs} sender={sender} starterSubject={starterSubject} /> : null}
        {stage === 3 ? (
          <>
            <p>
              <strong>Trigger:</strong> {triggerSummary(definition)}
            </p>
            <p>
              <strong>Who may receive it:</strong> {FILTER_LABELS[definition.sendingFilter]}
            </p>
            <p>
              <strong>From:</strong> {`${sender.name} <${sender.email}>`}
              {chosen ? null : (
                <>
                  {' · '}
                  <strong>Subject:</strong> {values.subject ?? starterSubject}
                </>
              )}
            </p>
            <StepList definition={definition} designs={shown} />
            <p class="muted small">Switched on, it reaches contacts from what happens from now on; you can switch it off at any time.</p>
          </>
        ) : null}
        <div class="button-row">
          {stage > 1 ? (
            <button type="submit" name="goto" value={String(stage - 1)} class="button secondary" formnovalidate>
              Back
            </button>
          ) : null}
          {stage < 3 ? (
            <button type="submit" name="goto" value={String(stage + 1)} class="button">
              {`Next: ${(STAGES as readonly string[])[stage]}`}
            </button>
          ) : (
            <>
              <button type="submit" name="goto" value="create" class={canSend ? 'button secondary' : 'button'}>
                Create, switched off
              </button>
              {canSend ? (
                <button type="submit" name="goto" value="create-on" class="button">
                  Create and switch on
                </button>
              ) : null}
            </>
          )}
        </div>
      </form>
    </>
  );
}
