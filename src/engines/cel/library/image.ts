import { fail, overloads, type CelLibrary } from './library.js';

/** An image reference as go-containerregistry's name.ParseReference reads it (Kubernetes library/image.go). */
export class ImageRef {
  constructor(
    readonly text: string,
    readonly registry: string,
    readonly repository: string,
    readonly tag: string,
    readonly digest: string,
  ) {}

  get identifier(): string {
    return this.digest || this.tag;
  }

  equals(o: unknown): boolean {
    return o instanceof ImageRef && o.text === this.text;
  }

  toString(): string {
    return this.text;
  }

  toPlain(): string {
    return this.text;
  }
}

const DEFAULT_REGISTRY = 'index.docker.io';
const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REGISTRY = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d+)?$/;

function looksLikeRegistry(s: string): boolean {
  return s.includes('.') || s.includes(':') || s === 'localhost';
}

/** name.ParseReference (default registry index.docker.io, "library/" for single-component Docker Hub names). */
export function parseImage(s: string): ImageRef | string {
  let rest = s;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `could not parse reference: ${s}`;
  }
  let tag = '';
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return `could not parse reference: ${s}`;
  }
  let registry = DEFAULT_REGISTRY;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && looksLikeRegistry(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    repository = rest.slice(slash + 1);
    if (!REGISTRY.test(registry)) return `could not parse reference: ${s}`;
  }
  if (repository === '' || !repository.split('/').every((c) => REPO_COMPONENT.test(c))) {
    return `could not parse reference: ${s}`;
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  if (registry === 'docker.io') registry = DEFAULT_REGISTRY;
  // A digest reference carries no tag (go-containerregistry returns a name.Digest).
  return new ImageRef(s, registry, repository, digest ? '' : tag || 'latest', digest);
}

const I = 'kubernetes.Image';
const orFail = (s: string): ImageRef => {
  const r = parseImage(s);
  return typeof r === 'string' ? fail(r) : r;
};

/** Kubernetes image library (library/image.go, 1.33). */
export function imageLibrary(): CelLibrary {
  return {
    name: 'image',
    types: [{ name: I, ctor: ImageRef }],
    functions: overloads({
      [`image(string): ${I}`]: orFail,
      'isImage(string): bool': (s: string) => typeof parseImage(s) !== 'string',
      [`${I}.containsDigest(): bool`]: (i: ImageRef) => i.digest !== '',
      [`${I}.registry(): string`]: (i: ImageRef) => i.registry,
      [`${I}.repository(): string`]: (i: ImageRef) => i.repository,
      [`${I}.identifier(): string`]: (i: ImageRef) => i.identifier,
      [`${I}.tag(): string`]: (i: ImageRef) => i.tag,
      [`${I}.digest(): string`]: (i: ImageRef) => i.digest,
    }),
  };
}
