// MapServer 8 as the peer for the tile benchmark: the same tables from the same database, MVT output,
// run as FastCGI under lighttpd (not a CGI process per request) so the comparison is fair.
// Needs the Debian packages mapserver-bin cgi-mapserver lighttpd (installed here on first use).
import { execFileSync, type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const MAPSERV = '/usr/lib/cgi-bin/mapserv';

function ensureInstalled(): void {
  if (existsSync(MAPSERV) && existsSync('/usr/sbin/lighttpd')) return;
  execFileSync('apt-get', ['install', '-y', '-qq', 'mapserver-bin', 'cgi-mapserver', 'lighttpd'], {
    stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** pids of the processes whose parent is `parent` (Linux /proc) */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

export interface MapServerPeer {
  /** URL of one tile, MapServer's way of asking for it */
  tileUrl(layer: string, z: number, x: number, y: number): string;
  baseUrl: string;
  tilePath(layer: string, z: number, x: number, y: number): string;
  /** lighttpd and the FastCGI processes it runs (for CPU accounting) */
  pids(): number[];
  stop(): void;
}

/**
 * layers: table → { MapServer TYPE, attribute columns }. procs: FastCGI processes (default: one per
 * core); lighttpd queues the requests beyond them.
 */
export async function startMapServer(databaseUrl: string, layers: Record<string, { type: 'POLYGON' | 'LINE' | 'POINT'; attributes: string[] }>, opts: { procs?: number } = {}): Promise<MapServerPeer> {
  ensureInstalled();
  const dir = path.join(os.tmpdir(), 'zs-mapserver');
  mkdirSync(dir, { recursive: true });
  const db = new URL(databaseUrl);
  const connection = `host=${db.hostname} port=${db.port || 5432} dbname=${db.pathname.slice(1)} user=${decodeURIComponent(db.username || 'postgres')}`;
  const mapfile = path.join(dir, 'tiles.map');
  writeFileSync(mapfile, `MAP
  NAME "zs"
  EXTENT -20037508.342789244 -20037508.342789244 20037508.342789244 20037508.342789244
  SIZE 256 256
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT
    NAME "mvt"
    DRIVER MVT
    FORMATOPTION "EXTENT=4096"
    FORMATOPTION "EDGE_BUFFER=64"
  END
${Object.entries(layers).map(([table, l]) => `  LAYER
    NAME "${table}"
    TYPE ${l.type}
    STATUS ON
    CONNECTIONTYPE POSTGIS
    CONNECTION "${connection}"
    PROCESSING "CLOSE_CONNECTION=DEFER"
    DATA "geom FROM (SELECT id, ${l.attributes.join(', ')}, geom FROM ${table}) AS t USING UNIQUE id USING SRID=4490"
    PROJECTION "init=epsg:4490" END
    METADATA
      "gml_include_items" "all"
      "gml_types" "auto"
    END
  END`).join('\n')}
END
`);
  const config = path.join(dir, 'mapserver.conf');
  writeFileSync(config, `CONFIG\n  ENV\n    MS_MAP_PATTERN "^${dir}/"\n  END\nEND\n`);
  const port = await freePort();
  const lighttpdConf = path.join(dir, 'lighttpd.conf');
  writeFileSync(lighttpdConf, `server.modules = ("mod_fastcgi")
server.document-root = "${dir}"
server.bind = "127.0.0.1"
server.port = ${port}
server.errorlog = "${dir}/error.log"
fastcgi.server = ("/mapserv" => ((
  "bin-path" => "${MAPSERV}",
  "socket" => "${dir}/mapserv.sock",
  "max-procs" => ${opts.procs ?? os.cpus().length},
  "check-local" => "disable",
  "bin-environment" => ("MAPSERVER_CONFIG_FILE" => "${config}")
)))
`);
  const child: ChildProcess = spawn('/usr/sbin/lighttpd', ['-D', '-f', lighttpdConf], { stdio: 'ignore' });
  const baseUrl = `http://127.0.0.1:${port}`;
  const tilePath = (layer: string, z: number, x: number, y: number) =>
    `/mapserv?map=${encodeURIComponent(mapfile)}&mode=tile&tilemode=gmap&tile=${x}+${y}+${z}&layers=${layer}&map.imagetype=mvt`;
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(baseUrl + tilePath(Object.keys(layers)[0], 14, 13189, 7150));
      if (res.ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    tilePath,
    tileUrl: (layer, z, x, y) => baseUrl + tilePath(layer, z, x, y),
    pids: () => [child.pid!, ...childrenOf(child.pid!)],
    stop: () => {
      // the FastCGI processes lighttpd spawned run in sessions of their own and may not stop on
      // SIGTERM while they wait for a request: stop them by parent pid (they hold no state)
      for (const pid of childrenOf(child.pid!)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch { /* gone already */ }
      }
      child.kill('SIGTERM');
    },
  };
}
