// The "Add contact" form: an email and/or a phone, names, tags, and consent with where it was given.
import { CsrfField, Field, type FormErrors, Notice } from '../components';
import { ContactsHeader } from './contacts-parts';

/** What the form shows again after a refused submit: the values sent and an error per field. */
export type AddContactState = { values?: Record<string, string> | undefined; errors?: FormErrors | undefined };

function ConsentBox({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  return (
    <div class="choice">
      <input type="checkbox" id={`field-${name}`} name={name} value="yes" checked={checked} />
      <label for={`field-${name}`}>{label}</label>
    </div>
  );
}

/** /app/contacts/new. */
export function AddContactPage({ csrfToken, state }: { csrfToken: string; state: AddContactState }) {
  const values = state.values ?? {};
  const errors = state.errors ?? {};
  return (
    <>
      <ContactsHeader title="Add contact" description="One person, by email, phone or both. Contacts from your store and CSV imports arrive by themselves." />
      {Object.keys(errors).length ? <Notice tone="error">The contact was not added: see the fields marked below.</Notice> : null}
      <form method="post" action="/app/contacts/new" class="card grid-form" novalidate>
        <CsrfField token={csrfToken} />
        <fieldset>
          <Field name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="off" />
          <Field name="phone" label="Phone" type="tel" value={values.phone} error={errors.phone} hint="International format, e.g. +14155550123" autocomplete="off" />
          <Field name="firstName" label="First name" value={values.firstName} error={errors.firstName} autocomplete="off" />
          <Field name="lastName" label="Last name" value={values.lastName} error={errors.lastName} autocomplete="off" />
          <Field name="tags" label="Tags" value={values.tags} error={errors.tags} hint="Separated by commas, e.g. vip, wholesale" />
        </fieldset>
        <fieldset class="choices">
          <legend>Consent</legend>
          <ConsentBox name="emailConsent" label="They agreed to receive marketing email" checked={values.emailConsent === 'yes'} />
          <ConsentBox name="smsConsent" label="They agreed to receive marketing text messages (SMS)" checked={values.smsConsent === 'yes'} />
          <Field name="consentSource" label="Where they agreed" value={values.consentSource} error={errors.consentSource} hint='Kept in the consent history, e.g. "Shop counter sign-up sheet"' />
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button primary">
            Add contact
          </button>
          <a class="button secondary" href="/app/contacts">
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}
