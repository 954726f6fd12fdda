import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { DEFAULT_PORTS } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

/**
 * Static checks of the deployment files (docker/, k8s/, .dockerignore): what would otherwise break at
 * deploy time or, worse, silently (a port, an env var name, a selector that matches nothing). Each test
 * collects its problems and expects none, so a failure lists them all.
 */

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');
const exists = (path: string): boolean => existsSync(new URL(path, ROOT));
const isDir = (path: string): boolean => exists(path) && statSync(new URL(path, ROOT)).isDirectory();

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

type Service = keyof typeof DEFAULT_PORTS;
const SERVICES = Object.keys(DEFAULT_PORTS) as Service[];
const isService = (name: string): name is Service => (SERVICES as string[]).includes(name);
/** The subgraphs the gateway routes to, by the composition config's names. */
/** The deployed subgraphs: every composed one but `events`, which the gateway serves in-process. */
const SUBGRAPHS: string[] = (
  JSON.parse(read('schema/subgraphs.json')) as { subgraphs: { name: string }[] }
).subgraphs
  .map((s) => s.name)
  .filter((name) => name !== 'events');

// ---- what the services read ------------------------------------------------------------------------

/** The keys of the first `z.object({ ... })` in a config source: the env vars it reads. */
function zodEnvKeys(file: string): string[] {
  const block = /z\.object\(\{([\s\S]*?)\n\s*\}\)/.exec(read(file))?.[1] ?? '';
  return [...block.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] ?? '');
}
const PLATFORM_ENV = zodEnvKeys('packages/platform/src/config.ts');
const GATEWAY_ENV = zodEnvKeys('gateway/src/config.ts');
/** A service's own settings: the gateway's, or a subgraph's `src/config.ts` section (not every one has one). */
function ownEnv(service: string): string[] {
  if (service === 'gateway') return GATEWAY_ENV;
  const file = `subgraphs/${service}/src/config.ts`;
  return existsSync(new URL(file, ROOT)) ? zodEnvKeys(file) : [];
}

/** SUBGRAPH_<NAME>_URL, for a subgraph of the supergraph (the gateway ignores any other name). */
function subgraphOfUrlVar(name: string): string | undefined {
  const sub = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(name)?.[1]?.toLowerCase();
  return sub && SUBGRAPHS.includes(sub) ? sub : undefined;
}

function unreadEnv(service: string, names: string[]): string[] {
  const known = new Set([...PLATFORM_ENV, ...ownEnv(service)]);
  return names.filter((n) => !known.has(n) && !(service === 'gateway' && subgraphOfUrlVar(n)));
}

// ---- workspaces ------------------------------------------------------------------------------------

/** Workspace package name -> folder, from the root package.json's workspaces. */
const WORKSPACES = new Map<string, string>();
for (const pattern of (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces) {
  const dirs = pattern.endsWith('/*')
    ? readdirSync(new URL(`${pattern.slice(0, -1)}`, ROOT)).map((d) => `${pattern.slice(0, -1)}${d}`)
    : [pattern];
  for (const dir of dirs) {
    if (exists(`${dir}/package.json`))
      WORKSPACES.set((JSON.parse(read(`${dir}/package.json`)) as { name: string }).name, dir);
  }
}

/** Problems with a (WORKSPACE, ENTRY, PORT) build-arg triple; names the service it builds. */
function buildArgProblems(where: string, args: Obj, service?: string): string[] {
  const workspace = str(args.WORKSPACE);
  const entry = str(args.ENTRY);
  const dir = WORKSPACES.get(workspace);
  if (!dir) return [`${where}: WORKSPACE "${workspace}" is not a workspace of the root package.json`];
  const problems: string[] = [];
  const built = posix.basename(dir);
  if (service && built !== service) problems.push(`${where}: builds ${built}, not ${service}`);
  if (!entry.startsWith(`${dir}/dist/`) || !entry.endsWith('.js')) {
    problems.push(`${where}: ENTRY "${entry}" is not a dist/*.js file of ${dir}`);
  } else if (!exists(entry.replace(`${dir}/dist/`, `${dir}/src/`).replace(/\.js$/, '.ts'))) {
    problems.push(`${where}: ENTRY "${entry}" has no source file in ${dir}/src`);
  }
  if (isService(built) && str(args.PORT) !== String(DEFAULT_PORTS[built])) {
    problems.push(
      `${where}: PORT ${str(args.PORT) || '(unset)'} is not ${built}'s port ${DEFAULT_PORTS[built]}`,
    );
  }
  return problems;
}

// ---- images ----------------------------------------------------------------------------------------

/** An image reference pinned to a full version tag (x.y.z...), never `latest` or a floating major. */
function unpinned(image: string): boolean {
  const ref = image.split('@')[0] ?? '';
  const colon = ref.lastIndexOf(':');
  const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : '';
  return image.includes('$') || tag === '' || /latest/.test(tag) || !/\d+\.\d+\.\d+/.test(tag);
}

// ---- Dockerfiles -----------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

function dockerfile(path: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const raw of read(path).split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(current);
    if (m) out.push({ op: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() });
    current = '';
  }
  return out;
}

/** ARG defaults declared before the first FROM (the build args the Dockerfile is driven by). */
function globalArgs(instructions: Instruction[]): Obj {
  const args: Obj = {};
  for (const i of instructions) {
    if (i.op === 'FROM') break;
    const m = /^([A-Za-z_]+)=(.*)$/.exec(i.args);
    if (i.op === 'ARG' && m?.[1]) args[m[1]] = (m[2] ?? '').replace(/^"|"$/g, '');
  }
  return args;
}

function dockerfileProblems(path: string): string[] {
  const problems: string[] = [];
  const instructions = dockerfile(path);
  const stages: string[] = [];
  let last = -1;
  instructions.forEach((i, index) => {
    if (i.op !== 'FROM') return;
    last = index;
    const [image = '', as, alias] = i.args.split(/\s+/).filter((t) => !t.startsWith('--'));
    if (!stages.includes(image) && unpinned(image)) problems.push(`${path}: FROM ${image} is not pinned`);
    if (as?.toLowerCase() === 'as' && alias) stages.push(alias);
  });
  const runtime = instructions.slice(last + 1);
  const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args;
  if (!user || /^(root|0)(:|$)/.test(user))
    problems.push(`${path}: the final stage does not end as a non-root USER`);
  const lastUser = runtime.findLastIndex((i) => i.op === 'USER');
  if (runtime.slice(lastUser + 1).some((i) => i.op === 'RUN'))
    problems.push(`${path}: RUN after the last USER`);
  const cmd = runtime.filter((i) => i.op === 'CMD').at(-1)?.args ?? '';
  if (!cmd.startsWith('["node"')) problems.push(`${path}: CMD is not an exec-form node command: ${cmd}`);
  const health = runtime.find((i) => i.op === 'HEALTHCHECK')?.args ?? '';
  if (!health.includes('/healthz')) problems.push(`${path}: no HEALTHCHECK on /healthz in the final stage`);
  const env = runtime.filter((i) => i.op === 'ENV').map((i) => i.args);
  if (!env.some((e) => /\bHOST=0\.0\.0\.0\b/.test(e))) problems.push(`${path}: HOST=0.0.0.0 not set`);
  if (!env.some((e) => /\bNODE_ENV=production\b/.test(e)))
    problems.push(`${path}: NODE_ENV=production not set`);
  problems.push(...buildArgProblems(`${path} ARG defaults`, globalArgs(instructions)));
  const turbo = (JSON.parse(read('package.json')) as { devDependencies: Record<string, string> })
    .devDependencies.turbo;
  if (globalArgs(instructions).TURBO_VERSION !== turbo)
    problems.push(`${path}: TURBO_VERSION is not ${turbo}`);
  return problems;
}

/** Does .dockerignore leave `path` out of the build context? (Docker: last matching rule wins.) */
function dockerignored(path: string): boolean {
  const toRegExp = (glob: string): RegExp => {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i] ?? '';
      if (glob.startsWith('**/', i)) {
        re += '(?:.*/)?';
        i += 2;
      } else if (glob.startsWith('**', i)) {
        re += '.*';
        i += 1;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
  };
  const rules = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({
      negate: l.startsWith('!'),
      re: toRegExp(posix.normalize(l.replace(/^!/, '')).replace(/^\/|\/$/g, '')),
    }));
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((p) => rule.re.test(p))) ignored = !rule.negate;
  }
  return ignored;
}

describe('deployment files: sources of truth', () => {
  it('finds the env vars the services read in their config sources', () => {
    expect(PLATFORM_ENV).toEqual(
      expect.arrayContaining(['NODE_ENV', 'HOST', 'PORT', 'MONGODB_URI', 'MESH_INTERNAL_SECRET']),
    );
    expect(GATEWAY_ENV).toEqual(
      expect.arrayContaining(['JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'SUPERGRAPH_PATH']),
    );
    expect(ownEnv('attention')).toEqual(expect.arrayContaining(['ATTENTION_SINGLE_WRITER']));
    expect(ownEnv('ads')).toEqual(expect.arrayContaining(['ADS_TOKEN_SECRET']));
    expect(ownEnv('recommendation')).toEqual(expect.arrayContaining(['REC_MAX_BATCH']));
    expect(read('gateway/src/config.ts')).toContain('SUBGRAPH_([A-Z0-9_]+)_URL');
    expect([...SUBGRAPHS].sort()).toEqual(SERVICES.filter((s) => s !== 'gateway').sort());
  });
});

describe('docker/Dockerfile and docker/Dockerfile.gpu', () => {
  it('pin their base images, build a real workspace entry, and end as a non-root node process', () => {
    expect([
      ...dockerfileProblems('docker/Dockerfile'),
      ...dockerfileProblems('docker/Dockerfile.gpu'),
    ]).toEqual([]);
  });

  it('run the CPU image on node 20 slim (within the root engines) and the GPU one on CUDA 11.8 + cuDNN 8', () => {
    const finalFrom = (path: string) =>
      dockerfile(path)
        .filter((i) => i.op === 'FROM')
        .at(-1)
        ?.args.split(/\s+/)[0];
    const cpu = finalFrom('docker/Dockerfile') ?? '';
    const version = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/.exec(cpu)?.slice(1).map(Number) ?? [];
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const min = /^>=(\d+)\.(\d+)\.(\d+)/.exec(engines)?.slice(1).map(Number) ?? [];
    expect(version).toHaveLength(3);
    expect(version[0]).toBe(min[0]);
    expect(version[1]! * 1000 + version[2]! >= min[1]! * 1000 + min[2]!).toBe(true);

    expect(finalFrom('docker/Dockerfile.gpu')).toMatch(
      /^nvidia\/cuda:11\.8\.\d+-cudnn8-runtime-ubuntu22\.04$/,
    );
    const gpu = dockerfile('docker/Dockerfile.gpu');
    expect(globalArgs(gpu).TFJS_NODE_GPU_VERSION).toBe('4.22.0');
    expect(
      gpu.some(
        (i) => i.op === 'RUN' && /@tensorflow\/tfjs-node-gpu@\$\{TFJS_NODE_GPU_VERSION\}/.test(i.args),
      ),
    ).toBe(true);
    // The service chooses its backend; the image must not force one.
    expect(gpu.filter((i) => i.op === 'ENV' && i.args.includes('TFJS_BACKEND'))).toEqual([]);
  });

  it('.dockerignore keeps what the images need and leaves out host builds, data and secrets', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'turbo.json',
      'schema/supergraph.graphql',
      'schema/public.graphql',
      'schema/subgraphs.json',
      'gateway/src/index.ts',
      'packages/platform/src/index.ts',
      ...SUBGRAPHS.map((s) => `subgraphs/${s}/src/schema.graphql`),
    ];
    const unwanted = [
      'node_modules',
      'subgraphs/users/node_modules',
      'gateway/dist',
      '.git',
      '.data',
      'docker/.env',
    ];
    expect(needed.filter(dockerignored)).toEqual([]);
    expect(unwanted.filter((p) => !dockerignored(p))).toEqual([]);
  });
});

describe('docker/docker-compose.yml', () => {
  const compose = obj(parse(read('docker/docker-compose.yml'), { merge: true }));
  const services = obj(compose.services);
  const mesh = Object.entries(services).filter(
    ([, s]) => isObj(obj(s).build) && Object.keys(obj(obj(s).build)).length,
  );
  const mongo = obj(services.mongo);
  const replSet = str(list(mongo.command)[list(mongo.command).indexOf('--replSet') + 1]);

  it('builds every service of the mesh, under its own name, from an existing Dockerfile, workspace and entry', () => {
    expect(mesh.map(([name]) => name).sort()).toEqual([...SERVICES].sort());
    const problems = mesh.flatMap(([name, s]) => {
      const build = obj(obj(s).build);
      const dockerfilePath = posix.normalize(posix.join('docker', str(build.context), str(build.dockerfile)));
      return [
        ...(exists(dockerfilePath) ? [] : [`${name}: no ${dockerfilePath}`]),
        ...buildArgProblems(name, obj(build.args), name),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('gives the services only env vars they read, their own PORT, and secrets from required variables', () => {
    const problems = mesh.flatMap(([name, s]) => {
      const env = obj(obj(s).environment);
      const out = unreadEnv(name, Object.keys(env)).map((n) => `${name}: ${n} is not read by the service`);
      if (isService(name) && 'PORT' in env && str(env.PORT) !== String(DEFAULT_PORTS[name]))
        out.push(`${name}: PORT`);
      // The gateway verifies people's tokens with the identity provider's keys, which production requires.
      const secrets =
        name === 'gateway'
          ? ['MESH_INTERNAL_SECRET', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE']
          : ['MESH_INTERNAL_SECRET'];
      for (const key of secrets) {
        if (!/^\$\{[A-Z0-9_]+:\?[^}]*\}$/.test(str(env[key])))
          out.push(`${name}: ${key} is not \${VAR:?...}`);
      }
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('starts the subgraphs on a healthy replica-set MongoDB, and the gateway on healthy subgraphs', () => {
    expect(str(mongo.image)).toMatch(/^mongo:7\.0\.\d+$/);
    expect(replSet).not.toBe('');
    expect(list(obj(mongo.healthcheck).test).join(' ')).toMatch(/rs\.initiate\(\{ _id: '([^']+)'/);
    expect(list(obj(mongo.healthcheck).test).join(' ')).toContain(`_id: '${replSet}'`);
    const problems: string[] = [];
    for (const [name, s] of mesh) {
      const dependsOn = obj(obj(s).depends_on);
      const needs = name === 'gateway' ? SUBGRAPHS : ['mongo'];
      for (const dep of needs) {
        if (obj(dependsOn[dep]).condition !== 'service_healthy')
          problems.push(`${name}: no healthy ${dep} dependency`);
        if (!isObj(obj(services[dep]).healthcheck)) problems.push(`${dep}: no healthcheck`);
      }
      if (name === 'gateway') continue;
      const uri = new URL(str(obj(obj(s).environment).MONGODB_URI));
      if (!(uri.hostname in services))
        problems.push(`${name}: MONGODB_URI host ${uri.hostname} is not a service`);
      if (uri.searchParams.get('replicaSet') !== replSet)
        problems.push(`${name}: MONGODB_URI replicaSet is not ${replSet}`);
    }
    expect(problems).toEqual([]);
  });

  it('routes the gateway to every subgraph by service name and port, and publishes the gateway only', () => {
    const env = obj(obj(services.gateway).environment);
    const problems = SUBGRAPHS.flatMap((sub) => {
      const value = str(env[`SUBGRAPH_${sub.toUpperCase()}_URL`]);
      const url = URL.canParse(value) ? new URL(value) : undefined;
      const port = isService(sub) ? String(DEFAULT_PORTS[sub]) : '?';
      return url?.hostname === sub && url.port === port && url.pathname === '/graphql'
        ? []
        : [`SUBGRAPH_${sub.toUpperCase()}_URL=${value} is not http://${sub}:${port}/graphql`];
    });
    expect(problems).toEqual([]);
    const published = Object.entries(services).filter(([, s]) => list(obj(s).ports).length > 0);
    expect(published.map(([name]) => name)).toEqual(['gateway']);
    expect(list(obj(services.gateway).ports).map((p) => str(p).split(':').at(-1))).toEqual([
      String(DEFAULT_PORTS.gateway),
    ]);
  });

  it('pins the images it pulls and runs NATS with JetStream on a volume', () => {
    const pulled = Object.entries(services).filter(([, s]) => !isObj(obj(s).build));
    expect(pulled.filter(([, s]) => unpinned(str(obj(s).image))).map(([name]) => name)).toEqual([]);
    const nats = obj(services.nats);
    expect(str(nats.image)).toMatch(/^nats:/);
    expect(list(nats.command)).toContain('-js');
    expect(list(nats.volumes).length).toBeGreaterThan(0);
  });

  it('GPU override: attention and recommendation on Dockerfile.gpu with an NVIDIA device', () => {
    const gpu = obj(obj(parse(read('docker/docker-compose.gpu.yml'), { merge: true })).services);
    expect(Object.keys(gpu).sort()).toEqual(['attention', 'recommendation']);
    for (const [name, s] of Object.entries(gpu)) {
      const base = obj(obj(services[name]).build);
      expect(
        posix.normalize(posix.join('docker', str(base.context), str(obj(obj(s).build).dockerfile))),
      ).toBe('docker/Dockerfile.gpu');
      const devices = list(obj(obj(obj(obj(s).deploy).resources).reservations).devices).map(obj);
      expect(devices.some((d) => d.driver === 'nvidia' && list(d.capabilities).includes('gpu'))).toBe(true);
    }
  });
});

// ---- Kubernetes ------------------------------------------------------------------------------------

function yamlFiles(dir: string): string[] {
  return readdirSync(new URL(`${dir}/`, ROOT)).flatMap((entry) => {
    const path = `${dir}/${entry}`;
    if (isDir(path)) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

interface Doc {
  file: string;
  value: Obj;
}

function docs(file: string): Doc[] {
  return parseAllDocuments(read(file)).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]?.message}`);
    return { file, value: obj(d.toJS()) };
  });
}

const K8S_FILES = yamlFiles('k8s');
const KUSTOMIZATIONS = K8S_FILES.filter((f) => posix.basename(f) === 'kustomization.yaml');
const MANIFESTS = K8S_FILES.filter((f) => !KUSTOMIZATIONS.includes(f)).flatMap(docs);
const BASE = MANIFESTS.filter(
  (d) => d.file.startsWith('k8s/base/') && !d.file.endsWith('secret.example.yaml'),
);
const SECRET = docs('k8s/base/secret.example.yaml')[0]?.value ?? {};

const named = (kind: string, name: string) =>
  BASE.find((d) => d.value.kind === kind && obj(d.value.metadata).name === name)?.value;
const podSpec = (workload: Obj): Obj => obj(obj(obj(workload.spec).template).spec);
const podLabels = (workload: Obj): Obj => obj(obj(obj(obj(workload.spec).template).metadata).labels);
const selects = (selector: Obj, labels: Obj) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const containersOf = (value: Obj): Obj[] => {
  const spec = podSpec(value);
  return [...list(spec.containers), ...list(spec.initContainers)].map(obj);
};

/**
 * The keys of the configMapGenerator `name` (its literals, in the kustomization that creates it and in
 * the overlays that merge into it); undefined when no kustomization creates it.
 */
function configMapKeys(name: string): string[] | undefined {
  const generators = KUSTOMIZATIONS.flatMap((k) =>
    list(obj(parse(read(k))).configMapGenerator)
      .map(obj)
      .filter((g) => g.name === name),
  );
  if (!generators.some((g) => g.behavior === undefined || g.behavior === 'create')) return undefined;
  return generators.flatMap((g) => list(g.literals).map((l) => str(l).split('=')[0] ?? ''));
}

describe('k8s manifests', () => {
  it('has a Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler per service in the base', () => {
    const missing = SERVICES.flatMap((s) =>
      ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']
        .filter((kind) => !named(kind, s))
        .map((kind) => `${kind} ${s}`),
    );
    expect(missing).toEqual([]);
  });

  it('every service Deployment: pinned image, its port, probes on that port, resources, non-root, read-only', () => {
    const problems = SERVICES.flatMap((s) => {
      const deployment = named('Deployment', s);
      const container = containersOf(deployment ?? {}).find((c) => c.name === s);
      if (!deployment || !container) return [`${s}: no container named ${s}`];
      const out: string[] = [];
      const image = str(container.image);
      if (!image.startsWith(`ghcr.io/attention-mesh/${s}:`) || unpinned(image))
        out.push(`${s}: image ${image}`);
      const port = list(container.ports)
        .map(obj)
        .find((p) => p.containerPort === DEFAULT_PORTS[s]);
      if (!port) out.push(`${s}: no containerPort ${DEFAULT_PORTS[s]}`);
      const onPort = (probe: unknown) => {
        const p = obj(obj(probe).httpGet).port;
        return port !== undefined && (p === port.containerPort || (typeof p === 'string' && p === port.name));
      };
      if (
        obj(obj(container.readinessProbe).httpGet).path !== '/readyz' ||
        !onPort(container.readinessProbe)
      ) {
        out.push(`${s}: readinessProbe is not GET /readyz on the container port`);
      }
      if (obj(obj(container.livenessProbe).httpGet).path !== '/healthz' || !onPort(container.livenessProbe)) {
        out.push(`${s}: livenessProbe is not GET /healthz on the container port`);
      }
      const resources = obj(container.resources);
      for (const [kind, key] of [
        ['requests', 'cpu'],
        ['requests', 'memory'],
        ['limits', 'cpu'],
        ['limits', 'memory'],
      ] as const) {
        if (obj(resources[kind])[key] === undefined) out.push(`${s}: no resources.${kind}.${key}`);
      }
      const pod = obj(podSpec(deployment).securityContext);
      const ctx = obj(container.securityContext);
      if ((ctx.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${s}: runAsNonRoot is not true`);
      // The image's USER is a name (node); the kubelet can only verify a numeric non-root uid.
      const uid = ctx.runAsUser ?? pod.runAsUser;
      if (typeof uid !== 'number' || uid === 0) out.push(`${s}: runAsUser is not a numeric non-root uid`);
      if (ctx.allowPrivilegeEscalation !== false) out.push(`${s}: allowPrivilegeEscalation is not false`);
      if (ctx.readOnlyRootFilesystem !== true) out.push(`${s}: readOnlyRootFilesystem is not true`);
      const portEnv = list(container.env)
        .map(obj)
        .find((e) => e.name === 'PORT');
      if (portEnv && str(portEnv.value) !== String(DEFAULT_PORTS[s]))
        out.push(`${s}: PORT env ${str(portEnv.value)}`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('every Service, PodDisruptionBudget and HorizontalPodAutoscaler reaches its pods', () => {
    const problems = SERVICES.flatMap((s) => {
      const deployment = named('Deployment', s) ?? {};
      const labels = podLabels(deployment);
      const container = containersOf(deployment).find((c) => c.name === s) ?? {};
      const ports = list(container.ports).map(obj);
      const out: string[] = [];
      const service = obj(named('Service', s)?.spec);
      if (!selects(obj(service.selector), labels))
        out.push(`Service ${s}: selector matches no pod of its Deployment`);
      const servicePorts = list(service.ports).map(obj);
      if (!servicePorts.some((p) => p.port === DEFAULT_PORTS[s]))
        out.push(`Service ${s}: no port ${DEFAULT_PORTS[s]}`);
      for (const p of servicePorts) {
        const target = p.targetPort ?? p.port;
        if (!ports.some((c) => c.containerPort === target || c.name === target)) {
          out.push(`Service ${s}: targetPort ${str(target)} is no container port`);
        }
      }
      const pdb = obj(named('PodDisruptionBudget', s)?.spec);
      if (!selects(obj(obj(pdb.selector).matchLabels), labels))
        out.push(`PodDisruptionBudget ${s}: selects no pod`);
      const target = obj(obj(named('HorizontalPodAutoscaler', s)?.spec).scaleTargetRef);
      if (target.kind !== 'Deployment' || !named('Deployment', str(target.name))) {
        out.push(`HorizontalPodAutoscaler ${s}: scaleTargetRef is no Deployment`);
      }
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('gives the services only env vars they read, from ConfigMaps and Secret keys that exist', () => {
    const secretName = obj(SECRET.metadata).name;
    const secretKeys = Object.keys(obj(SECRET.stringData));
    const problems: string[] = [];
    // Base manifests and the overlays' patch files: any workload container named after a service.
    for (const { file, value } of MANIFESTS) {
      for (const c of containersOf(value)) {
        const name = str(c.name);
        if (!isService(name)) continue;
        const names = list(c.env).map((e) => str(obj(e).name));
        for (const from of list(c.envFrom).map(obj)) {
          const ref = str(obj(from.configMapRef).name);
          const keys = from.configMapRef ? configMapKeys(ref) : [];
          if (!keys) problems.push(`${file} ${name}: no kustomization generates ConfigMap ${ref}`);
          names.push(...(keys ?? []));
          if (from.secretRef) problems.push(`${file} ${name}: envFrom secretRef hides which keys it reads`);
        }
        problems.push(
          ...unreadEnv(name, names).map((n) => `${file} ${name}: ${n} is not read by the service`),
        );
        for (const e of list(c.env).map(obj)) {
          const ref = obj(obj(e.valueFrom).secretKeyRef);
          if (!e.valueFrom || !ref.name) continue;
          if (ref.name !== secretName || !secretKeys.includes(str(ref.key))) {
            problems.push(
              `${file} ${name}: secretKeyRef ${str(ref.name)}/${str(ref.key)} is not in secret.example.yaml`,
            );
          }
        }
        for (const e of list(c.env).map(obj)) {
          if (/SECRET|PASSWORD/.test(str(e.name)) && e.value !== undefined)
            problems.push(`${file} ${name}: ${str(e.name)} inline`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('routes the gateway to every subgraph Service by name and port', () => {
    const gateway =
      containersOf(named('Deployment', 'gateway') ?? {}).find((c) => c.name === 'gateway') ?? {};
    const env = Object.fromEntries(list(gateway.env).map((e) => [str(obj(e).name), str(obj(e).value)]));
    const problems = SUBGRAPHS.flatMap((sub) => {
      const value = env[`SUBGRAPH_${sub.toUpperCase()}_URL`] ?? '';
      const url = URL.canParse(value) ? new URL(value) : undefined;
      const service = obj(named('Service', url?.hostname ?? '')?.spec);
      const ok =
        url?.hostname === sub &&
        url.pathname === '/graphql' &&
        list(service.ports).some((p) => String(obj(p).port) === url.port);
      return ok ? [] : [`SUBGRAPH_${sub.toUpperCase()}_URL=${value} does not reach Service ${sub}`];
    });
    expect(problems).toEqual([]);
  });

  it('pins every image (manifests, patches and kustomize image overrides) and overrides only existing ones', () => {
    const images = MANIFESTS.flatMap(({ file, value }) =>
      containersOf(value)
        .filter((c) => c.image !== undefined)
        .map((c) => ({ file, image: str(c.image) })),
    );
    expect(images.length).toBeGreaterThan(SERVICES.length);
    expect(images.filter((i) => unpinned(i.image))).toEqual([]);
    const names = new Set(images.map((i) => i.image.split(':')[0]));
    const overrides = KUSTOMIZATIONS.flatMap((k) =>
      list(obj(parse(read(k))).images).map((i): Obj => ({ kustomization: k, ...obj(i) })),
    );
    expect(overrides.filter((o) => !names.has(str(o.name)))).toEqual([]);
    expect(overrides.filter((o) => o.newTag !== undefined && unpinned(`x:${str(o.newTag)}`))).toEqual([]);
  });

  it("every kustomization's resources and patches exist, and the example Secret is in none", () => {
    const problems = KUSTOMIZATIONS.flatMap((k) => {
      const dir = posix.dirname(k);
      const kustomization = obj(parse(read(k)));
      const out: string[] = [];
      for (const r of [...list(kustomization.resources), ...list(kustomization.components)].map(str)) {
        const path = posix.normalize(posix.join(dir, r));
        const ok = isDir(path) ? exists(`${path}/kustomization.yaml`) : exists(path);
        if (!ok) out.push(`${k}: resource ${r} does not exist`);
        if (posix.basename(path) === 'secret.example.yaml') out.push(`${k}: lists ${r}`);
      }
      for (const p of list(kustomization.patches).map(obj)) {
        if (p.path !== undefined && !exists(posix.normalize(posix.join(dir, str(p.path))))) {
          out.push(`${k}: patch ${str(p.path)} does not exist`);
        }
      }
      return out;
    });
    expect(KUSTOMIZATIONS).toEqual(expect.arrayContaining(['k8s/base/kustomization.yaml']));
    expect(KUSTOMIZATIONS.some((k) => k.startsWith('k8s/overlays/dev/'))).toBe(true);
    expect(KUSTOMIZATIONS.some((k) => k.startsWith('k8s/overlays/prod/'))).toBe(true);
    expect(problems).toEqual([]);
  });
});
