/**
 * Worker thread entry: creates an embedded database directory (initdb) and exits. initdb leaves
 * ~500 MB of WebAssembly buffers in the instance that ran it; in a worker they are freed with
 * the thread instead of staying in the service's heap until a garbage collection.
 */
import { PGlite } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';

const { dataDir, conf } = workerData as { dataDir: string; conf: string[] };
await (await PGlite.create(dataDir, { postgresqlconf: conf })).close();
parentPort!.postMessage('created');
