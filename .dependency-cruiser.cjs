// Import boundaries from ARCHITECTURE.md: lower layers never import higher ones.
const layer = (name, mayImport) => ({
  name: `${name}-imports-only-allowed-layers`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...mayImport.map((m) => `^src/${m}/`)] },
});
module.exports = {
  forbidden: [
    layer('core', []),
    layer('io', ['core']),
    layer('k8s', ['core']),
    layer('policy', ['core', 'k8s']),
    layer('engines', ['core', 'k8s', 'policy']),
    layer('evaluate', ['core', 'k8s', 'policy', 'engines']),
    layer('compilers', ['core', 'k8s', 'policy', 'evaluate', 'runtime']),
    layer('runtime', ['core', 'k8s', 'policy', 'evaluate', 'compilers']),
    layer('findings', ['core', 'io']),
    layer('testkit', ['core', 'k8s', 'policy', 'engines', 'evaluate']),
    layer('app', ['core', 'k8s', 'policy', 'engines', 'evaluate', 'io', 'findings', 'compilers', 'runtime', 'testkit']),
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'tests-not-imported-by-product',
      severity: 'error',
      from: { pathNot: '\\.test\\.ts$' },
      to: { path: '\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^node_modules|\\.test\\.ts$)' },
  },
};
