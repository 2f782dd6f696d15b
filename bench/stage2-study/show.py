import json,sys
for l in open(sys.argv[1]):
  if not l.startswith('{'): continue
  d=json.loads(l)
  if 'baseline_calib_shadow' in d: print(d); continue
  if 'loso' in d:
    print('LOSO', d['name'], d['loso'], d['n'], {k:(v['rec'],v['or']) for k,v in d.items() if isinstance(v,dict)}); continue
  print(d['name'], 't',d['t'], 'test_s1',d['test_s1'], 'test_s2', d['test_s2'], 'calib_s2', d.get('calib_s2'))
  for k in d:
    if k.startswith('test_') and k not in ('test_s1','test_s2'):
      c=k[5:]; print('  ',c, 'calib', {x:d['calib_'+c][x] for x in ('rec','or','look','share','f1')}, 'test', {x:d[k][x] for x in ('rec','or','look','share','f1')}, d[k]['comb'], {b:d['bench_'+b][c] for b in ('advbench','harmbench') if 'bench_'+b in d})
      if 'per_'+c in d and (len(sys.argv)>2): print('      ', d['per_'+c])
  if 'bench_advbench' in d: print('   bench', d['bench_advbench'], d['bench_harmbench'])
