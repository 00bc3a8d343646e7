// Proves that pjob's JSON Schema gives completion, hover and diagnostics in
// the real yaml-language-server (the server behind VS Code's YAML support and
// many other editors), reached over LSP on stdio as an editor reaches it.
//
// The schema reaches the server the four ways a user can attach it:
//   1. the `# yaml-language-server: $schema=<relative path>` modeline;
//   2. the starter manifests of `pjob init` beside a schema written by
//      `pjob schema --write` (the modeline the templates carry);
//   3. the `yaml.schemas` setting (workspace/didChangeConfiguration), with the
//      `*.pjob.yaml` / `*.pjob.yml` globs;
//   4. a SchemaStore-style catalog (`fileMatch`) and a modeline with an
//      http URL, both served from 127.0.0.1.
// TOML manifests go through taplo (the engine of Even Better TOML): the
// `#:schema` directive and a `.taplo.toml` rule for `*.pjob.toml`.
//
// Environment: PJOB = the pjob binary (required: it writes the schema the
// templates point at). Exits non-zero on any failed assertion and ends with
// the line `N passed, N failed`.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { LspClient } from './lsp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const schemaPath = join(repo, 'schemas', 'pjob.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const definitions = schema.definitions;
const serverBin = join(here, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
const taploBin = join(here, 'node_modules', '@taplo', 'cli', 'dist', 'cli.js');
const fixtures = join(here, 'fixtures'); // documents are opened as if they lived here
const CURSOR = '‸';

const pjob = process.env.PJOB;
if (!pjob || !existsSync(pjob)) {
  console.error('error: set PJOB to the built pjob binary (tests/editor/run.sh does)');
  process.exit(2);
}

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${detail ? `\n    ${detail.replaceAll('\n', '\n    ')}` : ''}`);
  }
}

async function step(name, body) {
  try {
    await body();
  } catch (e) {
    check(name, false, e.stack ?? String(e));
  }
}

// ---------------------------------------------------------------- what SPEC.md says

/** Kind-specific `spec` fields from SPEC.md section 2, by kind. */
const SPEC_KIND_FIELDS = {
  Processor: ['image_uri', 'entrypoint'],
  ScriptProcessor: ['image_uri', 'command', 'code'],
  FrameworkProcessor: ['framework', 'framework_version', 'py_version', 'image_uri', 'command', 'code', 'source_dir', 'dependencies', 'git_config', 'codeartifact_repo_arn'],
  PySparkProcessor: ['framework_version', 'py_version', 'container_version', 'image_uri', 'submit_app', 'submit_py_files', 'submit_jars', 'submit_files', 'configuration', 'spark_event_logs_s3_uri'],
  SparkJarProcessor: ['framework_version', 'py_version', 'container_version', 'image_uri', 'submit_app', 'submit_class', 'submit_jars', 'submit_files', 'configuration', 'spark_event_logs_s3_uri'],
  ClarifyProcessor: ['version', 'analyses', 'data_config', 'bias_config', 'model_config', 'model_predicted_label_config', 'shap_config', 'model_scores', 'pre_training_methods', 'post_training_methods'],
};
const KINDS = Object.keys(SPEC_KIND_FIELDS);
/** Fields every kind's `spec` has (SPEC.md section 2, first table). */
const SPEC_COMMON_FIELDS = ['instance_count', 'instance_type', 'volume_size_in_gb', 'volume_kms_key', 'output_kms_key', 'max_runtime_in_seconds', 'env', 'network_config', 'inputs', 'outputs', 'arguments', 'experiment_config', 'job_name', 'code_location', 'kms_key'];
const SPEC_INPUT_FIELDS = ['source', 'destination', 's3_data_type', 's3_input_mode', 's3_data_distribution_type', 's3_compression_type', 'app_managed', 'dataset_definition'];
const SPEC_OUTPUT_FIELDS = ['source', 'destination', 's3_upload_mode', 'app_managed', 'feature_store_output'];

// ---------------------------------------------------------------- documents

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';

/** A manifest of `kind` whose `spec` body is `specBody` (indented by two). */
function manifest(kind, specBody, { modeline = true } = {}) {
  return [
    ...(modeline ? [`# yaml-language-server: $schema=${relative(fixtures, schemaPath)}`] : []),
    'apiVersion: pjob/v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: editor-test',
    'spec:',
    ...specBody.split('\n').map((l) => (l ? `  ${l}` : l)),
    '',
  ].join('\n');
}

/** Splits a text at its cursor mark into the text and the LSP position. */
function atCursor(marked) {
  const offset = marked.indexOf(CURSOR);
  if (offset < 0) throw new Error('document has no cursor mark');
  const before = marked.slice(0, offset).split('\n');
  return { text: marked.replace(CURSOR, ''), position: { line: before.length - 1, character: before.at(-1).length } };
}

/** The position of the first `needle` on the line that starts (after spaces) with `lineStart`. */
function positionOf(text, lineStart, needle = lineStart) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.trimStart().startsWith(lineStart));
  if (line < 0) throw new Error(`no line starts with ${lineStart}`);
  return { line, character: lines[line].indexOf(needle) + 1 };
}

function lineOf(text, lineStart) {
  return positionOf(text, lineStart).line;
}

// ---------------------------------------------------------------- the editor

let settings = {};
const client = new LspClient('node', [serverBin, '--stdio'], (section) => settings[section] ?? null);
let version = 0;
let docCounter = 0;

function yamlSettings(schemas, schemaStore = { enable: false }) {
  return {
    yaml: {
      validate: true,
      hover: true,
      completion: true,
      format: { enable: false },
      // No SchemaStore download unless a phase serves its own catalog: the
      // only network here is 127.0.0.1.
      schemaStore,
      kubernetesCRDStore: { enable: false },
      schemas,
    },
    http: { proxy: '', proxyStrictSSL: false },
  };
}

/** Opens `text` as `name` (a file name, or a path under fixtures/); resolves with its first diagnostics. */
async function open(name, text) {
  const path = name.startsWith('/') ? name : join(fixtures, name);
  const uri = pathToFileURL(path).href;
  const diagnostics = client.nextDiagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: ++version, text } });
  return { uri, text, diagnostics: await diagnostics };
}

function close(uri) {
  client.notify('textDocument/didClose', { textDocument: { uri } });
}

/** Completion labels at the cursor of `marked`, opened as a new document. */
async function completionLabels(marked, name = `completion-${++docCounter}.yaml`) {
  const { text, position } = atCursor(marked);
  const doc = await open(name, text);
  const result = await client.request('textDocument/completion', { textDocument: { uri: doc.uri }, position });
  close(doc.uri);
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return { labels: new Set(items.map((i) => i.label)), items };
}

async function hoverText(uri, position) {
  const result = await client.request('textDocument/hover', { textDocument: { uri }, position });
  if (!result) return '';
  const c = result.contents;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n');
  return c.value ?? '';
}

function missing(labels, expected) {
  return expected.filter((f) => !labels.has(f));
}

function present(labels, unexpected) {
  return unexpected.filter((f) => labels.has(f));
}

function describe(diagnostics) {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join('\n') || '(none)';
}

/** The first sentence of a schema description, as hover text shows it. */
function firstSentence(description) {
  return description.split(/\.(\s|$)/)[0];
}

/** A property's own description, following a `$ref`/`allOf` wrapper. */
function propertyDescription(definition, field) {
  const p = definitions[definition].properties[field];
  return p.description ?? definitions[p.$ref?.split('/').at(-1)]?.description;
}

/** The enum values a property accepts, following `$ref`/`allOf`. */
function enumOf(definition, field) {
  let p = definitions[definition].properties[field];
  for (;;) {
    if (p.enum) return p.enum;
    const ref = p.$ref ?? p.allOf?.[0]?.$ref;
    if (!ref) throw new Error(`${definition}.${field} has no enum`);
    p = definitions[ref.split('/').at(-1)];
  }
}

// ---------------------------------------------------------------- the tests

async function modelineTests() {
  // spec fields, kind by kind: the kind's own fields and the common ones are
  // offered; the fields only other kinds have are not.
  const own = Object.fromEntries(KINDS.map((k) => [k, new Set(Object.keys(definitions[`${k}Spec`].properties))]));
  for (const kind of KINDS) {
    await step(`modeline: spec completion for ${kind}`, async () => {
      const { labels } = await completionLabels(manifest(kind, `role: ${ROLE}\n${CURSOR}`));
      const expected = [...new Set([...SPEC_KIND_FIELDS[kind], ...SPEC_COMMON_FIELDS, ...own[kind]])].filter((f) => f !== 'role');
      const foreign = KINDS.filter((k) => k !== kind).flatMap((k) => [...own[k]]).filter((f) => !own[kind].has(f));
      const lacking = missing(labels, expected);
      const extra = present(labels, [...new Set(foreign)]);
      check(
        `modeline: spec completion for ${kind} offers its fields and no other kind's`,
        lacking.length === 0 && extra.length === 0 && !labels.has('role'),
        `missing: ${lacking.join(', ') || '-'}; other kinds' fields offered: ${extra.join(', ') || '-'}; got: ${[...labels].join(', ')}`,
      );
    });
  }

  await step('modeline: top-level completion', async () => {
    const { labels } = await completionLabels(`# yaml-language-server: $schema=${relative(fixtures, schemaPath)}\napiVersion: pjob/v1\n${CURSOR}\n`);
    const lacking = missing(labels, ['kind', 'metadata', 'vars', 'spec']);
    check('modeline: top-level completion offers kind, metadata, vars, spec', lacking.length === 0, `missing: ${lacking}; got: ${[...labels]}`);
  });

  await step('modeline: metadata completion', async () => {
    const { labels } = await completionLabels(manifest('Processor', `role: ${ROLE}`).replace('  name: editor-test', `  name: editor-test\n  ${CURSOR}`));
    check('modeline: metadata completion offers tags', labels.has('tags') && !labels.has('role'), `got: ${[...labels]}`);
  });

  await step('modeline: inputs item completion', async () => {
    const { labels } = await completionLabels(manifest('ScriptProcessor', `role: ${ROLE}\ninputs:\n  - name: raw\n    ${CURSOR}`));
    const lacking = missing(labels, [...SPEC_INPUT_FIELDS, ...Object.keys(definitions.ProcessingInput.properties).filter((f) => f !== 'name')]);
    const extra = present(labels, ['s3_upload_mode', 'feature_store_output', 'role', 'instance_type']);
    check('modeline: inputs item completion offers input fields only', lacking.length === 0 && extra.length === 0, `missing: ${lacking}; unexpected: ${extra}; got: ${[...labels]}`);
  });

  await step('modeline: outputs item completion', async () => {
    const { labels } = await completionLabels(manifest('Processor', `role: ${ROLE}\noutputs:\n  - name: train\n    ${CURSOR}`));
    const lacking = missing(labels, SPEC_OUTPUT_FIELDS);
    const extra = present(labels, ['s3_data_type', 's3_input_mode', 'dataset_definition']);
    check('modeline: outputs item completion offers output fields only', lacking.length === 0 && extra.length === 0, `missing: ${lacking}; unexpected: ${extra}; got: ${[...labels]}`);
  });

  await step('modeline: nested athena_dataset_definition completion', async () => {
    const body = `role: ${ROLE}\ninputs:\n  - name: q\n    dataset_definition:\n      local_path: /opt/ml/processing/input/q\n      athena_dataset_definition:\n        ${CURSOR}`;
    const { labels } = await completionLabels(manifest('Processor', body));
    const lacking = missing(labels, ['catalog', 'database', 'query_string', 'output_s3_uri', 'work_group', 'output_format', 'output_compression', 'kms_key_id']);
    check('modeline: athena_dataset_definition completion offers its fields', lacking.length === 0 && !labels.has('cluster_id'), `missing: ${lacking}; got: ${[...labels]}`);
  });

  const enumCases = [
    ['s3_upload_mode', 'ProcessingOutput', ['EndOfJob', 'Continuous'], `role: ${ROLE}\noutputs:\n  - source: /opt/ml/processing/out\n    s3_upload_mode: ${CURSOR}`, 'Processor'],
    ['s3_data_type', 'ProcessingInput', ['S3Prefix', 'ManifestFile'], `role: ${ROLE}\ninputs:\n  - source: s3://b/k\n    destination: /opt/ml/processing/input\n    s3_data_type: ${CURSOR}`, 'Processor'],
    ['s3_input_mode', 'ProcessingInput', ['File', 'Pipe'], `role: ${ROLE}\ninputs:\n  - source: s3://b/k\n    s3_input_mode: ${CURSOR}`, 'Processor'],
    ['s3_data_distribution_type', 'ProcessingInput', ['FullyReplicated', 'ShardedByS3Key'], `role: ${ROLE}\ninputs:\n  - source: s3://b/k\n    s3_data_distribution_type: ${CURSOR}`, 'Processor'],
    ['s3_compression_type', 'ProcessingInput', ['None', 'Gzip'], `role: ${ROLE}\ninputs:\n  - source: s3://b/k\n    s3_compression_type: ${CURSOR}`, 'Processor'],
    ['framework', 'FrameworkProcessorSpec', ['sklearn', 'pytorch', 'tensorflow', 'xgboost', 'huggingface', 'mxnet'], `role: ${ROLE}\nframework: ${CURSOR}`, 'FrameworkProcessor'],
  ];
  for (const [field, definition, spec, body, kind] of enumCases) {
    await step(`modeline: ${field} values`, async () => {
      const { labels, items } = await completionLabels(manifest(kind, body));
      const values = enumOf(definition, field);
      const lacking = missing(labels, [...new Set([...spec, ...values])]);
      const strays = [...labels].filter((l) => !values.includes(l));
      const documented = items.filter((i) => values.includes(i.label) && i.documentation);
      check(
        `modeline: ${field} completes to exactly its values, each documented`,
        lacking.length === 0 && strays.length === 0 && documented.length === values.length,
        `missing: ${lacking}; not values: ${strays}; documented: ${documented.map((i) => i.label)}`,
      );
    });
  }

  await step('modeline: kind values', async () => {
    const { labels } = await completionLabels(`# yaml-language-server: $schema=${relative(fixtures, schemaPath)}\napiVersion: pjob/v1\nkind: ${CURSOR}\n`);
    const lacking = missing(labels, KINDS);
    check('modeline: kind completes to the six kinds', lacking.length === 0 && labels.size === KINDS.length, `missing: ${lacking}; got: ${[...labels]}`);
  });

  await step('modeline: hover', async () => {
    const text = manifest('ScriptProcessor', `role: ${ROLE}\nimage_uri: img\ncommand: [python3]\ncode: s3://b/p.py\ninstance_count: 1\ninstance_type: ml.m5.xlarge\ninputs:\n  - source: s3://b/k\n    destination: /opt/ml/processing/input\n    s3_data_type: S3Prefix`);
    const doc = await open('hover.yaml', text);
    const onInstanceType = await hoverText(doc.uri, positionOf(text, 'instance_type:'));
    const onDataType = await hoverText(doc.uri, positionOf(text, 's3_data_type:'));
    const onKind = await hoverText(doc.uri, positionOf(text, 'kind:'));
    close(doc.uri);
    const want1 = propertyDescription('ScriptProcessorSpec', 'instance_type');
    const want2 = propertyDescription('ProcessingInput', 's3_data_type');
    // Markdown as written (`code` spans rendered, not escaped into \`).
    check('modeline: hover on spec.instance_type shows its description as markdown', onInstanceType.includes(want1) && /instance type/i.test(onInstanceType) && !onInstanceType.includes('\\`'), `want "${want1}", got: ${onInstanceType}`);
    check(
      "modeline: hover on inputs[].s3_data_type shows the field's own description and each allowed value",
      onDataType.includes(want2) && enumOf('ProcessingInput', 's3_data_type').every((v) => onDataType.includes(`\`${v}\``)) && !onDataType.includes('\\`'),
      `want "${want2}", got: ${onDataType}`,
    );
    check('modeline: hover on kind shows its description', onKind.includes(firstSentence(schema.properties.kind.description)), `got: ${onKind}`);
  });

  await step('modeline: diagnostics', async () => {
    const text = manifest(
      'ScriptProcessor',
      [
        `role: ${ROLE}`,
        'image_uri: img',
        'command: [python3]',
        'code: s3://b/p.py',
        'instance_count: 1',
        'instance_type: ml.m5.xlarge',
        'instance_typo: ml.m5.large',
        'submit_app: s3://b/app.py',
        'outputs:',
        '  - source: /opt/ml/processing/out',
        '    s3_upload_mode: Sometimes',
        'inputs:',
        '  - source: s3://b/k',
        '    s3_data_type: S3Folder',
      ].join('\n'),
    );
    const { uri, diagnostics } = await open('invalid.yaml', text);
    close(uri);
    const on = (start) => diagnostics.filter((d) => d.range.start.line === lineOf(text, start));
    const all = describe(diagnostics);
    check('modeline: unknown field is an error on its line', on('instance_typo:').some((d) => d.severity === 1 && /not allowed/i.test(d.message)), all);
    check("modeline: another kind's field (submit_app in a ScriptProcessor) is an error on its line", on('submit_app:').some((d) => d.severity === 1 && /not allowed/i.test(d.message)), all);
    check('modeline: bad s3_upload_mode is an error listing the allowed values', on('s3_upload_mode:').some((d) => d.severity === 1 && d.message.includes('EndOfJob') && d.message.includes('Continuous')), all);
    check('modeline: bad s3_data_type is an error listing the allowed values', on('s3_data_type:').some((d) => d.severity === 1 && d.message.includes('S3Prefix')), all);
    const expectedLines = ['instance_typo:', 'submit_app:', 's3_upload_mode:', 's3_data_type:'].map((s) => lineOf(text, s));
    const strays = diagnostics.filter((d) => !expectedLines.includes(d.range.start.line));
    check('modeline: no diagnostic on the valid lines', strays.length === 0, describe(strays));
  });

  await step('modeline: missing required fields', async () => {
    const text = manifest('FrameworkProcessor', `role: ${ROLE}\ninstance_count: 0`);
    const { uri, diagnostics } = await open('missing.yaml', text);
    close(uri);
    const messages = diagnostics.map((d) => d.message).join('\n');
    const lacking = definitions.FrameworkProcessorSpec.required.filter((f) => f !== 'role' && f !== 'instance_count' && !messages.includes(`"${f}"`) && !messages.includes(` ${f}`));
    check('modeline: every missing required spec field is reported', lacking.length === 0, `not reported: ${lacking}\n${describe(diagnostics)}`);
    check('modeline: instance_count below its minimum is reported on its line', diagnostics.some((d) => d.range.start.line === lineOf(text, 'instance_count:')), describe(diagnostics));
  });

  await step('modeline: a valid manifest has no diagnostics', async () => {
    const text = readFileSync(join(here, 'fixtures', 'spec-section-1.pjob.yaml'), 'utf8');
    const { uri, diagnostics } = await open(join(fixtures, 'spec-section-1.pjob.yaml'), text);
    const kindHover = await hoverText(uri, positionOf(text, 'kind:'));
    close(uri);
    check("modeline: SPEC.md's first manifest has no diagnostics", diagnostics.length === 0 && kindHover.length > 0, `${describe(diagnostics)}\nhover on kind: ${kindHover || '(none: no schema attached)'}`);
  });
}

async function templateTests() {
  // What a user does: `pjob init KIND` then `pjob schema --write pjob.schema.json`.
  const dir = mkdtempSync(join(tmpdir(), 'pjob-editor-'));
  try {
    execFileSync(pjob, ['schema', '--write', join(dir, 'pjob.schema.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    check('pjob schema --write writes the committed schema', readFileSync(join(dir, 'pjob.schema.json'), 'utf8') === readFileSync(schemaPath, 'utf8'));
    for (const kind of KINDS) {
      await step(`template: ${kind}`, async () => {
        const file = join(dir, `${kind}.pjob.yaml`);
        execFileSync(pjob, ['init', kind, '--file', file], { stdio: ['ignore', 'ignore', 'pipe'] });
        const text = readFileSync(file, 'utf8');
        const { uri, diagnostics } = await open(file, text);
        const kindHover = await hoverText(uri, positionOf(text, 'kind:'));
        close(uri);
        check(
          `template: \`pjob init ${kind}\` beside \`pjob schema --write pjob.schema.json\` has the schema attached and no diagnostics`,
          diagnostics.length === 0 && kindHover.includes(firstSentence(schema.properties.kind.description)),
          `${describe(diagnostics)}\nhover on kind: ${kindHover || '(none: the modeline does not reach the schema)'}`,
        );
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits for the server to re-check `uri` after a configuration change. */
function reconfigure(newSettings, sentinelUri) {
  const republished = client.nextDiagnostics(sentinelUri);
  settings = newSettings;
  client.notify('workspace/didChangeConfiguration', { settings });
  return republished;
}

async function settingsTests() {
  // A file open before the setting exists is checked once the setting arrives.
  const sentinelText = manifest('Processor', `role: ${ROLE}\nimage_uri: img\ninstance_count: 1\ninstance_type: ml.m5.xlarge\nnot_a_field: 1`, { modeline: false });
  const sentinel = await open('sentinel.pjob.yaml', sentinelText);
  check('yaml.schemas: without the setting a *.pjob.yaml file is not checked', sentinel.diagnostics.length === 0, describe(sentinel.diagnostics));
  const after = await reconfigure(yamlSettings({ './schemas/pjob.schema.json': ['*.pjob.yaml', '*.pjob.yml'] }), sentinel.uri);
  check(
    'yaml.schemas (didChangeConfiguration, path relative to the workspace): an open *.pjob.yaml file is re-checked against the schema',
    after.some((d) => d.range.start.line === lineOf(sentinelText, 'not_a_field:') && /not allowed/i.test(d.message)),
    describe(after),
  );
  close(sentinel.uri);

  for (const name of ['assoc.pjob.yaml', 'nested/dir/assoc.pjob.yml']) {
    await step(`yaml.schemas: ${name}`, async () => {
      const { labels } = await completionLabels(manifest('PySparkProcessor', `role: ${ROLE}\n${CURSOR}`, { modeline: false }), name);
      const lacking = missing(labels, ['submit_app', 'submit_py_files', 'spark_event_logs_s3_uri', 'instance_type']);
      check(`yaml.schemas: ${name} (no modeline) gets kind-specific spec completion`, lacking.length === 0 && !labels.has('framework'), `missing: ${lacking}; got: ${[...labels]}`);
    });
  }

  await step('yaml.schemas: other YAML files', async () => {
    const { labels } = await completionLabels(manifest('PySparkProcessor', `role: ${ROLE}\n${CURSOR}`, { modeline: false }), 'workflow.yaml');
    const text = manifest('Processor', 'not_a_field: 1', { modeline: false });
    const { uri, diagnostics } = await open('other.yaml', text);
    close(uri);
    check('yaml.schemas: a file outside the globs gets no pjob completion and no pjob diagnostics', !labels.has('submit_app') && diagnostics.length === 0, `labels: ${[...labels]}\n${describe(diagnostics)}`);
  });

  // Every manifest committed under examples/ opens clean, with the schema
  // attached by its modeline or its name.
  const examples = listFiles(join(repo, 'examples')).filter((f) => /\.ya?ml$/.test(f) && /^apiVersion:\s*pjob\//m.test(readFileSync(f, 'utf8')));
  for (const file of examples) {
    await step(`example ${relative(repo, file)}`, async () => {
      const text = readFileSync(file, 'utf8');
      const { uri, diagnostics } = await open(file, text);
      const kindHover = await hoverText(uri, positionOf(text, 'kind:'));
      close(uri);
      check(
        `example ${relative(repo, file)} has the schema attached and no diagnostics`,
        diagnostics.length === 0 && kindHover.includes(firstSentence(schema.properties.kind.description)),
        `${describe(diagnostics)}\nhover on kind: ${kindHover || '(none: add a modeline or name it *.pjob.yaml)'}`,
      );
    });
  }
  console.log(`# ${examples.length} example manifest(s) under examples/`);
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

async function schemaStoreTests() {
  // The catalog entry docs/editors.md shows, served from 127.0.0.1 the way
  // SchemaStore serves its catalog, with the schema at a local URL.
  const entry = JSON.parse(readFileSync(join(here, 'schemastore-catalog.json'), 'utf8')).schemas[0];
  const server = createServer((req, res) => {
    if (req.url === '/catalog.json') {
      const local = { ...entry, url: `http://127.0.0.1:${server.address().port}/pjob.schema.json` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ $schema: 'https://json.schemastore.org/schema-catalog', version: 1, schemas: [local] }));
    } else if (req.url === '/pjob.schema.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(schemaPath));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = server.address().port;
    const sentinelText = manifest('Processor', `role: ${ROLE}\nimage_uri: img\ninstance_count: 1\ninstance_type: ml.m5.xlarge\nnot_a_field: 1`, { modeline: false });
    const sentinel = await open('catalog-sentinel.pjob.yml', sentinelText);
    await reconfigure(yamlSettings({}, { enable: true, url: `http://127.0.0.1:${port}/catalog.json` }), sentinel.uri);
    close(sentinel.uri);
    check('schemastore entry: fileMatch lists *.pjob.yaml, *.pjob.yml and *.pjob.toml', ['*.pjob.yaml', '*.pjob.yml', '*.pjob.toml'].every((g) => entry.fileMatch.includes(g)), JSON.stringify(entry.fileMatch));
    check("schemastore entry: url is the schema's $id", entry.url === schema.$id, `${entry.url} vs ${schema.$id}`);
    for (const name of ['catalog.pjob.yaml', 'catalog.pjob.yml']) {
      await step(`schemastore: ${name}`, async () => {
        const { labels } = await completionLabels(manifest('ClarifyProcessor', `role: ${ROLE}\n${CURSOR}`, { modeline: false }), name);
        const lacking = missing(labels, ['analyses', 'data_config', 'shap_config']);
        check(`schemastore catalog (fileMatch): ${name} gets ClarifyProcessor spec completion`, lacking.length === 0 && !labels.has('submit_app'), `missing: ${lacking}; got: ${[...labels]}`);
      });
    }
    await step('modeline with an http URL', async () => {
      const text = manifest('Processor', 's3_upload_mode: 1', { modeline: false });
      const withUrl = `# yaml-language-server: $schema=http://127.0.0.1:${port}/pjob.schema.json\n${text}`;
      const { uri, diagnostics } = await open('url-modeline.yaml', withUrl);
      close(uri);
      check('modeline with an http(s) URL: the schema is fetched and applied', diagnostics.some((d) => /not allowed/i.test(d.message)), describe(diagnostics));
    });
  } finally {
    server.close();
  }
}

/** A TOML manifest (SPEC.md section 1's structure) with an optional first line. */
function tomlManifest(firstLine, { inputDataType = 'S3Prefix', extraSpec = '' } = {}) {
  return [
    ...(firstLine ? [firstLine] : []),
    'apiVersion = "pjob/v1"',
    'kind = "ScriptProcessor"',
    '',
    '[metadata]',
    'name = "churn-preprocess"',
    '',
    '[spec]',
    `role = "${ROLE}"`,
    'image_uri = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"',
    'command = ["python3"]',
    'code = "s3://my-data/code/preprocess.py"',
    'instance_count = 1',
    'instance_type = "ml.m5.xlarge"',
    ...(extraSpec ? [extraSpec] : []),
    '',
    '[[spec.inputs]]',
    'source = "s3://my-data/raw/"',
    'destination = "/opt/ml/processing/input"',
    `s3_data_type = "${inputDataType}"`,
    '',
  ].join('\n');
}

/** Runs `taplo lint` in `cwd`; its exit code and output. */
function taplo(cwd, args) {
  const run = spawnSync('node', [taploBin, 'lint', '--colors', 'never', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function tomlTests() {
  const dir = mkdtempSync(join(tmpdir(), 'pjob-toml-'));
  try {
    execFileSync(pjob, ['schema', '--write', join(dir, 'pjob.schema.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const directive = '#:schema ./pjob.schema.json';
    writeFileSync(join(dir, 'good.pjob.toml'), tomlManifest(directive));
    writeFileSync(join(dir, 'bad.pjob.toml'), tomlManifest(directive, { inputDataType: 'S3Folder', extraSpec: 'submit_app = "s3://b/app.py"' }));
    const good = taplo(dir, ['good.pjob.toml']);
    check('taplo: a valid manifest with `#:schema` passes', good.status === 0, good.output);
    const bad = taplo(dir, ['bad.pjob.toml']);
    const badLine = tomlManifest(directive, { extraSpec: 'x' }).split('\n').findIndex((l) => l.startsWith('s3_data_type')) + 1;
    check(
      "taplo: `#:schema` catches a bad enum (on its line) and another kind's field",
      bad.status !== 0 && bad.output.includes('"S3Folder" is not one of') && bad.output.includes(`bad.pjob.toml:${badLine}:`) && bad.output.includes("'submit_app' was unexpected"),
      bad.output.slice(0, 2000),
    );

    // Settings instead of a directive: a `.taplo.toml` rule (read by the taplo
    // CLI and by Even Better TOML) for every *.pjob.toml.
    const project = join(dir, 'repo');
    mkdirSync(join(project, 'jobs', 'nightly'), { recursive: true });
    writeFileSync(join(project, '.taplo.toml'), '[[rule]]\ninclude = ["**/*.pjob.toml"]\n\n[rule.schema]\npath = "../pjob.schema.json"\n');
    writeFileSync(join(project, 'jobs', 'nightly', 'churn.pjob.toml'), tomlManifest('', { inputDataType: 'S3Folder' }));
    const ruled = taplo(project, ['jobs/nightly/churn.pjob.toml']);
    check('taplo: a .taplo.toml rule for **/*.pjob.toml applies the schema without a directive', ruled.status !== 0 && ruled.output.includes('"S3Folder" is not one of'), ruled.output.slice(0, 2000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const examples = listFiles(join(repo, 'examples')).filter((f) => f.endsWith('.toml') && /^apiVersion\s*=\s*"pjob\//m.test(readFileSync(f, 'utf8')));
  for (const file of examples) {
    const text = readFileSync(file, 'utf8');
    const lint = taplo(dirname(file), [file]);
    check(`taplo: example ${relative(repo, file)} has a #:schema directive and passes`, /^#:schema /.test(text) && lint.status === 0, lint.output.slice(0, 2000));
  }
  console.log(`# ${examples.length} TOML example manifest(s) under examples/`);
}

// ---------------------------------------------------------------- main

async function main() {
  settings = yamlSettings({});
  const root = pathToFileURL(repo).href;
  await client.request('initialize', {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: 'pjob' }],
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
      textDocument: {
        synchronization: { didSave: true },
        completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { relatedInformation: true },
      },
    },
    initializationOptions: {},
  });
  client.notify('initialized', {});
  client.notify('workspace/didChangeConfiguration', { settings });

  await modelineTests();
  await templateTests();
  await settingsTests();
  await schemaStoreTests();
  tomlTests();
}

try {
  await main();
} catch (e) {
  check('the language server session', false, e.stack ?? String(e));
} finally {
  await client.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
