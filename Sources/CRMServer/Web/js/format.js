// How numbers, names and times read on screen.
import { locale } from './i18n.js';

/**
 * Brazilian numbers (55 + DDD + 8 or 9 digits) as `(11) 99999-8888`, other
 * numbers as `+digits`; anything that is not a number (a WhatsApp user id) as is.
 */
export function formatPhone(value) {
  if (!value) return '';
  const text = String(value);
  if (!/^\+?[\d\s().-]+$/.test(text)) return text;
  const digits = text.replace(/\D/g, '');
  const brazil = /^55(\d{2})(\d{4,5})(\d{4})$/.exec(digits);
  return brazil ? `(${brazil[1]}) ${brazil[2]}-${brazil[3]}` : `+${digits}`;
}

/** The name a conversation goes by: group name, contact name, number, username, id. */
export function conversationTitle(row) {
  if (row.is_group) return row.group_name || formatPhone(row.contact_id);
  return row.contact_name || formatPhone(row.contact_phone) || row.contact_username || formatPhone(row.contact_id);
}

/** "via (11) 99999-8888" needs the number; before pairing only the name is known. */
export function instanceLabel(instance) {
  if (!instance) return '';
  return instance.phone_number ? formatPhone(instance.phone_number) : instance.name;
}

const timeOnly = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const dateAndTime = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });

/** Today's times as `14:05`, older ones with their date. */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString() ? timeOnly.format(date) : dateAndTime.format(date);
}

/** The full date for a `<time datetime>` title. */
export function formatFullTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateAndTime.format(date);
}
