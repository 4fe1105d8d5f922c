#!/usr/bin/env python3
"""docker-py scenario: runs the same steps against DOCKER_HOST and prints one JSON object of
observable results (shapes, key fields, error classes/status codes) for comparison."""
import json, os, sys, time, socket
import docker
from docker import errors

out = {}
def step(name):
    def deco(fn):
        try:
            out[name] = fn()
        except Exception as e:  # record the class + status so targets can be compared
            out[name] = {'raised': type(e).__name__, 'status': getattr(getattr(e, 'response', None), 'status_code', None), 'msg': str(getattr(e, 'explanation', e))[:200]}
        return fn
    return deco

c = docker.DockerClient(base_url=os.environ['DOCKER_HOST'], version='1.41', timeout=60)
tag = os.environ.get('PROBE_TAG', 'probe')

@step('ping')
def _(): return c.ping()

@step('version')
def _():
    v = c.version(); return {'has': sorted(k for k in ('ApiVersion', 'Version', 'Os', 'Arch', 'MinAPIVersion', 'Components') if k in v)}

@step('info')
def _():
    i = c.info(); return {'has': sorted(k for k in ('Containers', 'Images', 'Driver', 'OperatingSystem', 'ID', 'Name', 'ServerVersion', 'NCPU', 'MemTotal') if k in i)}

@step('images.list')
def _(): return any('busybox:latest' in (i.tags or []) for i in c.images.list())

@step('images.get')
def _():
    i = c.images.get('busybox'); return {'tags': i.tags, 'id_prefix': i.id[:7], 'short': i.short_id.startswith('sha256:')}

@step('images.get.missing')
def _(): c.images.get('nonexistent-image-xyz:nope')

@step('run.remove')
def _(): return c.containers.run('busybox', 'echo hi', remove=True).decode()

@step('run.stderr')
def _(): return c.containers.run('busybox', ['sh', '-c', 'echo out; echo err >&2'], remove=True, stdout=True, stderr=True).decode()

@step('run.fail')
def _(): c.containers.run('busybox', ['sh', '-c', 'echo boom >&2; exit 3'], remove=True)

@step('run.missing-image')
def _(): c.containers.run('nonexistent-image-xyz:nope', 'true')

@step('detach')
def _():
    ct = c.containers.run('busybox', ['sh', '-c', 'echo started; sleep 30'], detach=True, name=f'{tag}-det', labels={'probe': tag})
    for _ in range(50):
        if b'started' in ct.logs(): break
        time.sleep(0.1)
    ct.reload()
    r = {'status': ct.status, 'name': ct.name, 'logs': ct.logs().decode(), 'attrs': sorted(k for k in ct.attrs if k in ('Id', 'Created', 'Path', 'Args', 'State', 'Image', 'Name', 'RestartCount', 'Driver', 'Platform', 'HostConfig', 'Config', 'NetworkSettings', 'Mounts', 'LogPath', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'ExecIDs'))}
    r['labels'] = ct.labels
    r['image_tags'] = ct.image.tags
    r['list_filter'] = [x.name for x in c.containers.list(all=True, filters={'label': f'probe={tag}'})]
    r['list_status'] = [x.name for x in c.containers.list(filters={'status': 'running', 'name': f'{tag}-det'})]
    # exec
    try:
        e = ct.exec_run('echo exec-out'); r['exec'] = [e.exit_code, e.output.decode()]
        e = ct.exec_run(['sh', '-c', 'echo o; echo e >&2; exit 5'], demux=True); r['exec_demux'] = [e.exit_code, [x.decode() if x else x for x in e.output]]
        e = ct.exec_run('env', environment={'FOO': 'bar'}, workdir='/tmp', user='nobody'); r['exec_env'] = [e.exit_code, 'FOO=bar' in e.output.decode()]
        e = ct.exec_run('pwd', workdir='/tmp'); r['exec_pwd'] = e.output.decode()
        e = ct.exec_run('nonexistent-cmd'); r['exec_missing'] = [e.exit_code, e.output.decode()[:80]]
        e = ct.exec_run('sleep 1', detach=True); r['exec_detach'] = [e.exit_code, e.output]
        ex = c.api.exec_create(ct.id, ['sh', '-c', 'exit 7'])
        c.api.exec_start(ex['Id'])
        ins = c.api.exec_inspect(ex['Id'])
        r['exec_inspect'] = {'ExitCode': ins['ExitCode'], 'Running': ins['Running'], 'keys': sorted(ins.keys()), 'pc': ins['ProcessConfig']}
        ex = c.api.exec_create(ct.id, 'cat', stdin=True)
        s = c.api.exec_start(ex['Id'], socket=True)
        sock = getattr(s, '_sock', s)
        sock.sendall(b'via-stdin\n'); sock.shutdown(socket.SHUT_WR)
        data = b''
        while True:
            chunk = sock.recv(4096)
            if not chunk: break
            data += chunk
        r['exec_stdin'] = data
        r['exec_tty'] = ct.exec_run('tty', tty=True).output.decode().strip().startswith('/dev/pts')
        c.api.exec_resize(ex['Id'], height=10, width=20) if False else None
    except Exception as e:
        r['exec_error'] = [type(e).__name__, str(e)[:200]]
    r['ExecIDs_len'] = len(c.api.inspect_container(ct.id)['ExecIDs'] or [])
    r['stop'] = ct.stop(timeout=1)
    r['wait'] = ct.wait()
    ct.remove()
    try:
        c.containers.get(ct.id)
    except errors.NotFound as e:
        r['after_remove'] = ['NotFound', e.response.status_code]
    r['exec_stdin'] = repr(r.get('exec_stdin'))
    return r

@step('exec.not-running')
def _():
    ct = c.containers.create('busybox', 'true', name=f'{tag}-nr')
    try:
        ct.exec_run('true')
    finally:
        ct.remove()

@step('exec.no-such')
def _(): c.api.exec_inspect('deadbeef')

@step('create.attach')
def _():
    ct = c.containers.create('busybox', ['sh', '-c', 'echo a1; sleep 0.3; echo a2 >&2'], name=f'{tag}-att')
    s = ct.attach_socket(params={'stdout': 1, 'stderr': 1, 'stream': 1})
    ct.start()
    sock = getattr(s, '_sock', s)
    data = b''
    sock.settimeout(10)
    while True:
        chunk = sock.recv(4096)
        if not chunk: break
        data += chunk
    w = ct.wait()
    ct.remove()
    return {'raw': repr(data), 'wait': w}

@step('attach.logs')
def _():
    ct = c.containers.run('busybox', ['sh', '-c', 'echo l1; sleep 1; echo l2'], detach=True)
    for _ in range(50):
        if b'l1' in ct.logs(): break
        time.sleep(0.05)
    got = b''.join(ct.attach(stream=True, logs=True))
    ct.wait(); ct.remove()
    return got.decode()

@step('errors')
def _():
    r = {}
    try: c.containers.get('no-such-ctr')
    except errors.NotFound as e: r['get'] = [type(e).__name__, e.response.status_code, e.explanation]
    try: c.api.remove_image('no-such-img:1')
    except errors.APIError as e: r['rmi'] = [type(e).__name__, e.response.status_code, e.explanation]
    try: c.containers.create('busybox', 'true', name='bad name!')
    except errors.APIError as e: r['badname'] = [type(e).__name__, e.response.status_code, e.explanation]
    ct = c.containers.create('busybox', 'true', name=f'{tag}-dup')
    try: c.containers.create('busybox', 'true', name=f'{tag}-dup')
    except errors.APIError as e: r['dup'] = [type(e).__name__, e.response.status_code]
    ct.remove()
    return r

@step('containers.prune')
def _():
    ct = c.containers.create('busybox', 'true', name=f'{tag}-prune')
    p = c.containers.prune()
    return {'keys': sorted(p.keys()), 'has': ct.id in (p['ContainersDeleted'] or [])}

@step('images.prune')
def _():
    p = c.images.prune(); return sorted(p.keys())

@step('volumes')
def _():
    return {'list': c.volumes.list(), 'raw': sorted(c.api.volumes().keys())}

@step('networks')
def _():
    return sorted(n.name for n in c.networks.list())

@step('events')
def _():
    since = int(time.time()) - 1
    c.containers.run('busybox', 'true', remove=True, name=f'{tag}-ev')
    ev = c.events(decode=True, since=since, until=int(time.time()) + 1, filters={'container': f'{tag}-ev'})
    return [e.get('status') or e.get('Action') for e in ev if e.get('Type') == 'container']

@step('lowlevel.1.24')
def _():
    a = docker.APIClient(base_url=os.environ['DOCKER_HOST'], version='1.24')
    ct = a.create_container('busybox', 'echo low', name=f'{tag}-low')
    a.start(ct['Id'])
    w = a.wait(ct['Id'])
    logs = a.logs(ct['Id'])
    lst = [x['Names'] for x in a.containers(all=True, filters={'name': f'{tag}-low'})]
    a.remove_container(ct['Id'])
    return {'warn': ct.get('Warnings'), 'wait': w, 'logs': logs.decode(), 'list': lst, 'imgs': len(a.images(name='busybox'))}

@step('volume-data')
def _():
    """A named volume keeps data between containers; its record and the container's Mounts in Docker's shape."""
    v = c.volumes.create(f'{tag}-pyvol', labels={'probe': tag})
    r = {'name': v.name, 'driver': v.attrs['Driver'], 'labels': v.attrs['Labels'], 'mountpoint_ok': v.attrs['Mountpoint'].endswith(f'/{tag}-pyvol/_data')}
    try:
        c.containers.run('busybox', ['sh', '-c', 'echo kept > /data/f'], volumes={f'{tag}-pyvol': {'bind': '/data', 'mode': 'rw'}}, remove=True, network_mode='none')
        ct = c.containers.create('busybox', ['cat', '/data/f'], volumes={f'{tag}-pyvol': {'bind': '/data', 'mode': 'ro'}}, network_mode='none')
        try:
            m = ct.attrs['Mounts'][0]
            r['mount'] = {k: m[k] for k in ('Type', 'Name', 'Destination', 'Driver', 'RW')}
            ct.start(); ct.wait()
            r['read'] = ct.logs().decode()
            try:
                v.remove()
            except errors.APIError as e:
                r['in_use'] = [type(e).__name__, e.response.status_code, 'volume is in use' in e.explanation]
        finally:
            ct.remove(force=True)
    finally:
        v.remove(force=True)
    r['after_remove'] = [x.name for x in c.volumes.list(filters={'name': f'{tag}-pyvol'})]
    return r

@step('network')
def _():
    """networks.create/connect/disconnect + container.attrs NetworkSettings (subnet from PROBE_SUBNET)."""
    from docker.types import IPAMConfig, IPAMPool
    subnet = os.environ['PROBE_SUBNET']
    prefix = subnet.rsplit('.', 1)[0]
    r = {}
    net = c.networks.create(f'{tag}-pynet', driver='bridge', labels={'probe': tag},
                            ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=subnet, gateway=f'{prefix}.1')]))
    ct = c.containers.run('busybox', ['sleep', '120'], detach=True, name=f'{tag}-pync')
    try:
        ct.reload()
        ns = ct.attrs['NetworkSettings']
        r['default'] = {'networks': sorted(ns['Networks']), 'ip_set': bool(ns['IPAddress']),
                        'same_ip': ns['IPAddress'] == ns['Networks']['bridge']['IPAddress'],
                        'gateway_set': bool(ns['Gateway']), 'mac_set': bool(ns['MacAddress']), 'prefix': ns['IPPrefixLen']}
        net.reload()
        r['ipam'] = net.attrs['IPAM']['Config']
        r['labels'] = net.attrs['Labels']
        net.connect(ct, aliases=['pyal'], ipv4_address=f'{prefix}.40')
        ct.reload()
        ep = ct.attrs['NetworkSettings']['Networks'][net.name]
        r['connected'] = {'networks': sorted(ct.attrs['NetworkSettings']['Networks']), 'ip': ep['IPAddress'], 'gateway': ep['Gateway'],
                          'prefix': ep['IPPrefixLen'], 'ipam': ep['IPAMConfig'], 'has_alias': 'pyal' in (ep['Aliases'] or []),
                          'eth1': ct.exec_run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth1']).output.decode().split()[3]}
        net.reload()
        r['net_containers'] = [x.name for x in net.containers]
        try:
            net.remove()
        except errors.APIError as e:
            r['rm_in_use'] = [type(e).__name__, e.response.status_code, e.explanation.replace(net.id, '<id>')]
        net.disconnect(ct)
        ct.reload()
        r['disconnected'] = sorted(ct.attrs['NetworkSettings']['Networks'])
        r['links_after'] = ct.exec_run(['sh', '-c', 'ls /sys/class/net | sort | tr "\\n" " "']).output.decode().strip()
        try:
            net.disconnect(ct)
        except errors.APIError as e:
            r['disconnect_again'] = [type(e).__name__, e.response.status_code, e.explanation.replace(ct.id, '<id>')]
    finally:
        ct.remove(force=True)
        net.remove()
    r['after_remove'] = [n.name for n in c.networks.list(names=[f'{tag}-pynet'])]
    return r

print(json.dumps(out, indent=1, sort_keys=True, default=repr))
