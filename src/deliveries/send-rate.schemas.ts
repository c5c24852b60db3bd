// The sending speed limit a merchant sets on a sender (Settings → Email sender, Settings → SMS).
import { z } from 'zod';

/** Blank form fields mean "not given". */
export const blankAsMissing = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Messages a second, 1 to 1,000; blank or absent: the sender's default. */
export const SendRatePerSecond = z.preprocess(
  blankAsMissing,
  z.coerce
    .number({ message: 'Enter a number of messages per second' })
    .int({ message: 'Enter a whole number' })
    .min(1, { message: 'At least 1 a second' })
    .max(1000, { message: 'At most 1000 a second' })
    .optional(),
);
