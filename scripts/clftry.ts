import { readFileSync, readdirSync } from 'node:fs';
import { TextClassifier } from '../src/triage/classifier/text-classifier.js';
const ex = readdirSync('data/triage').filter(f=>f.endsWith('.jsonl')).flatMap(f=>readFileSync('data/triage/'+f,'utf8').trim().split('\n').map(l=>JSON.parse(l)));
const h = (s:string)=>{let x=0;for(const c of s)x=(x*31+c.charCodeAt(0))>>>0;return x;};
for (const o of [{epochs:30,learningRate:0.5,l2:1e-5},{epochs:15,learningRate:1,l2:1e-5},{epochs:50,learningRate:0.5,l2:1e-6},{epochs:30,learningRate:2,l2:1e-4},{epochs:30,learningRate:0.5,l2:1e-3}]) {
 for (const field of ['category','priority']) {
  let accs=[]; let confs=[]; let T=[]; let ms=0;
  for (let f=0; f<5; f++){
  const train = ex.filter(e=>h(e.id)%5!==f), test = ex.filter(e=>h(e.id)%5===f);
  let t0=performance.now();
  const clf = TextClassifier.train(train.map(e=>({text:e.text,label:e[field]})), {...o, calibrationFolds: 4});
  ms+=performance.now()-t0;
  let ok=0, conf=0; for (const e of test){const p=clf.predict(e.text); if(p.label===e[field])ok++; conf+=p.confidence;}
  accs.push(ok/test.length); confs.push(conf/test.length); T.push(clf.temperature);
  }
  const m=(a:number[])=>(a.reduce((x,y)=>x+y,0)/a.length).toFixed(3);
  console.log(JSON.stringify(o), field, 'acc', m(accs), 'conf', m(confs), 'T', T.join(','), 'ms', (ms/5).toFixed(0));
 }
}
