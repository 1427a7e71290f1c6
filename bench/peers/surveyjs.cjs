// survey-core (SurveyJS) on the surveys and responses peers.py generated: the questions each
// response leaves visible (compared with ours), then the time to load each response into the
// survey model and validate it (model reused per survey, as a server would).
"use strict";
const fs = require("fs");
const Survey = require("survey-core");

const payload = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const models = payload.map((p) => new Survey.Model(p.survey));
let mismatches = 0;
let n = 0;
payload.forEach((p, i) => {
  const model = models[i];
  p.data.forEach((data, j) => {
    model.clear(true, true);
    model.data = data;
    const shown = model.getAllQuestions(true).map((q) => q.name).sort();
    if (JSON.stringify(shown) !== JSON.stringify(p.visible[j])) mismatches += 1;
    n += 1;
  });
});
function once() {
  payload.forEach((p, i) => {
    const model = models[i];
    for (const data of p.data) {
      model.clear(true, true);
      model.data = data;
      model.validate(false, false);
    }
  });
}
once(); // warm up the JIT
let best = Infinity;
for (let r = 0; r < 5; r += 1) {
  const start = process.hrtime.bigint();
  once();
  best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
}
const version = Survey.Version || "?";
process.stdout.write(JSON.stringify({ seconds: best, n, mismatches, version }));
