// A loopback port free for both TCP and UDP right now (for servers such as named that cannot take port 0).
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/** A port on 127.0.0.1 that is free for TCP and UDP at the time of the call. */
export async function freeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no free loopback port for TCP and UDP after 20 attempts");
}
