#!/bin/bash
# usage: dump.sh SITEDLL OUTDIR : bench circuits with heap dumps after the warm-up page and after all 50 pages
DLL=$1; OUT=$2; mkdir -p $OUT
cd /work/main
dotnet src/Rlhf.Cli/bin/Release/net10.0/rlhf.dll bench circuits --pages 50 --settle 60 --site-dll $DLL > $OUT/result.json 2> $OUT/err.txt &
PID=""
while [ -z "$PID" ]; do sleep 1; PID=$(pgrep -f "$DLL" | while read p; do if [ "$(cat /proc/$p/comm 2>/dev/null)" = dotnet ] && ! grep -q rlhf.dll /proc/$p/cmdline 2>/dev/null; then echo $p; fi; done | head -1); done
echo site $PID
r() { pgrep -fc "type=renderer"; }
stable=0; while [ $stable -lt 20 ]; do c=$(r); if [ "$c" -ge 1 ] && [ "$c" -le 4 ]; then stable=$((stable+1)); else stable=0; fi; sleep 1; done
echo "A at renderers $(r)"; /tmp/tools/dotnet-dump collect -p $PID --type Heap -o $OUT/a.dmp > /dev/null
stable=0; while [ $stable -lt 25 ]; do c=$(r); if [ "$c" -ge 51 ]; then stable=$((stable+1)); else stable=0; fi; sleep 1; done
echo "B at renderers $(r)"; /tmp/tools/dotnet-dump collect -p $PID --type Heap -o $OUT/b.dmp > /dev/null
wait
for x in a b; do /tmp/tools/dotnet-dump analyze $OUT/$x.dmp -c "dumpheap -stat -live" -c exit > $OUT/$x.live 2>&1; done
echo done
