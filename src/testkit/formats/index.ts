import type { SuiteFormat } from '../suite.js';
import { gatorFormat } from './gator.js';
import { kyvernoFormat } from './kyverno.js';
import { rampartFormat } from './rampart.js';
import { regoSuiteFormat } from './rego.js';

/** Every suite format `rampart test` runs. Add a format by adding one line. */
export const SUITE_FORMATS: SuiteFormat[] = [rampartFormat, kyvernoFormat, regoSuiteFormat, gatorFormat];
