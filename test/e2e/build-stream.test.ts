import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTar } from '../../src/builder/context/test-tars.js';
import { apiRequest, forEachTarget } from './harness.js';

/** Every instruction the classic builder knows, in one Dockerfile (RUN after ENTRYPOINT and SHELL too). */
const DOCKERFILE = `FROM busybox
ARG V=1
ENV A=b C=\${A}d
LABEL l1=v1 "l 2"="v 2"
WORKDIR /app
COPY . ./
COPY sub/x.txt /opt/
RUN echo hi $V > /app/out && cat /app/out
USER 1000:1000
EXPOSE 80 53/udp
VOLUME /data
STOPSIGNAL SIGUSR1
ENTRYPOINT ["sh", "-c"]
CMD ["echo", "x"]
ONBUILD RUN echo hi
HEALTHCHECK --interval=5s CMD true
SHELL ["/bin/sh", "-ec"]
MAINTAINER me
RUN echo after-shell
`;

/** IDs differ between engines; everything else must not. */
const normalize = (s: string): string => s.replace(/[0-9a-f]{64}/g, 'H64').replace(/[0-9a-f]{12}/g, 'H12').replace(/\r\n/g, '\n');

const streams = new Map<string, { status: number; body: string }>();

async function post(socket: string, body: Buffer, query: string): Promise<{ status: number; body: string }> {
  const r = await apiRequest(socket, 'POST', `/v1.41/build?${query}`, body, { timeoutMs: 120_000, headers: { 'Content-Type': 'application/x-tar' } });
  return { status: r.status, body: normalize(r.body) };
}

/** The raw `POST /build` stream of berth and of Docker 20.10's classic builder, compared byte for byte (IDs aside). */
forEachTarget('POST /build progress stream', (t) => {
  test('a build with every instruction streams exactly what the classic builder streams', async () => {
    const tar = await makeTar([
      { name: 'Dockerfile', content: DOCKERFILE },
      { name: 'a.txt', content: 'A\n' },
      { name: 'sub/x.txt', content: 'X\n' },
    ]);
    const r = await post(t().socket, tar, 'nocache=1&networkmode=none&t=stream-test%3Aone');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body.trim().split('\n').at(-1)!).stream, 'Successfully tagged stream-test:one\n');
    streams.set(`${t().name}:ok`, r);
    const other = streams.get(`${t().isDocker ? 'berth' : 'docker'}:ok`);
    if (other) assert.equal(r.body, other.body);
    await t().docker(['rmi', '-f', 'stream-test:one']);
  });

  test('a failing RUN and an unknown instruction stream the same errors', async () => {
    const failing = await post(t().socket, await makeTar([{ name: 'Dockerfile', content: 'FROM busybox\nRUN echo out && exit 3\n' }]), 'nocache=1&networkmode=none');
    const last = JSON.parse(failing.body.trim().split('\n').at(-1)!) as { errorDetail: { code: number; message: string }; error: string };
    assert.deepEqual(last.errorDetail, { code: 3, message: "The command '/bin/sh -c echo out && exit 3' returned a non-zero code: 3" });
    assert.equal(last.error, last.errorDetail.message);
    const bad = await post(t().socket, await makeTar([{ name: 'Dockerfile', content: 'FROM busybox\nFOO bar\n' }]), '');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /dockerfile parse error line 2: unknown instruction: FOO/);
    for (const [k, v] of [['fail', failing], ['bad', bad]] as const) {
      streams.set(`${t().name}:${k}`, v);
      const other = streams.get(`${t().isDocker ? 'berth' : 'docker'}:${k}`);
      if (other) assert.equal(v.body, other.body);
    }
  });
});
