// Loaded into Azurite (`node --require`) by `benchmarks/run.sh --azurite-saves`: a diagnostic, not
// part of the service. With a disk location Azurite keeps its tables in LokiJS and every 5 s writes
// the whole database as one JSON string, on the thread that serves requests. This appends a line per
// save to $AZURITE_SAVES_LOG: when it began (epoch ms), its size (characters), how long it held
// the thread (ms: serializing, plus turning the string into bytes for the file), and the ms of
// garbage collection since the previous save (V8's, which also holds the thread).
"use strict";
const fs = require("fs");
const path = require("path");

const out = process.env.AZURITE_SAVES_LOG;
const main = fs.realpathSync(process.argv[1] || ".");
let Loki;
try {
  Loki = require(require.resolve("lokijs", { paths: [path.dirname(main)] }));
} catch {
  Loki = null; // Not Azurite (some other node process inherited NODE_OPTIONS): nothing to time.
}

if (out && Loki) {
  let size = 0;
  let gc = 0;
  new (require("perf_hooks").PerformanceObserver)((list) => {
    for (const entry of list.getEntries()) gc += entry.duration;
  }).observe({ entryTypes: ["gc"] });
  const serialize = Loki.prototype.serialize;
  Loki.prototype.serialize = function (options) {
    const json = serialize.call(this, options);
    size = json.length;
    return json;
  };
  const saveInternal = Loki.prototype.saveDatabaseInternal;
  Loki.prototype.saveDatabaseInternal = function (callback) {
    const began = Date.now();
    const start = process.hrtime.bigint();
    size = 0;
    saveInternal.call(this, callback);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (size > 0) {
      fs.appendFileSync(out, `${began} ${size} ${ms.toFixed(1)} ${gc.toFixed(1)}\n`);
      gc = 0;
    }
  };
}
