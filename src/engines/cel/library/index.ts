import { authzLibrary } from './authz.js';
import { comprehensionsLibrary } from './comprehensions.js';
import type { CelLibrary, CelLibraryContext } from './library.js';
import { jsonPatchLibrary } from './jsonpatch.js';
import { imageLibrary } from './image.js';
import { ipLibrary } from './ip.js';
import { listsLibrary } from './lists.js';
import { namedFormatLibrary } from './named-format.js';
import { quantityLibrary } from './quantity.js';
import { regexLibrary } from './regex.js';
import { replacedStringsLibrary } from './replaced.js';
import { semverLibrary } from './semver.js';
import { setsLibrary } from './sets.js';
import { stdlibGapsLibrary } from './stdlib-gaps.js';
import { stringsLibrary } from './strings.js';
import { urlLibrary } from './url.js';

/** Every library of the Kubernetes CEL environment, instantiated for one environment. */
export function kubernetesLibraries(ctx: CelLibraryContext, opts: { mutation?: boolean } = {}): CelLibrary[] {
  const libs = [
    stdlibGapsLibrary(),
    listsLibrary(ctx),
    regexLibrary(ctx),
    replacedStringsLibrary(ctx),
    stringsLibrary(ctx),
    setsLibrary(ctx),
    comprehensionsLibrary(ctx),
    quantityLibrary(),
    ipLibrary(),
    urlLibrary(),
    namedFormatLibrary(),
    semverLibrary(),
    imageLibrary(),
    authzLibrary(),
  ];
  if (opts.mutation) libs.push(jsonPatchLibrary());
  return libs;
}
