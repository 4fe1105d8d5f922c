#!/usr/bin/env python3
"""Writes src/api/json-shapes.ts from the Engine API v1.43 swagger: the field names of the
request bodies berth decodes, so the server can match JSON keys case-insensitively as Go's
encoding/json does. Run: python3 scripts/gen-json-shapes.py [swagger.yaml] > src/api/json-shapes.ts
"""
import json
import sys

import yaml

SPEC = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/reference/docker-engine-api-v1.43.yaml'
BODIES = [
    ('containerCreate', 'post', '/containers/create'),
    ('containerUpdate', 'post', '/containers/{id}/update'),
    ('commit', 'post', '/commit'),
    ('execCreate', 'post', '/containers/{id}/exec'),
    ('execStart', 'post', '/exec/{id}/start'),
    ('volumeCreate', 'post', '/volumes/create'),
    ('networkCreate', 'post', '/networks/create'),
    ('networkConnect', 'post', '/networks/{id}/connect'),
    ('networkDisconnect', 'post', '/networks/{id}/disconnect'),
    ('auth', 'post', '/auth'),
]

doc = yaml.safe_load(open(SPEC))
defs = doc['definitions']


def shape(s, seen=()):
    """0 = a value whose keys are not fields (scalar, or array/map of scalars); dict = struct;
    {'*': x} = map of x; [x] = array of x."""
    if '$ref' in s:
        name = s['$ref'].split('/')[-1]
        return 0 if name in seen else shape(defs[name], seen + (name,))
    if 'allOf' in s:
        out = {}
        for part in s['allOf']:
            sub = shape(part, seen)
            if isinstance(sub, dict) and '*' not in sub:
                out.update(sub)
        return out or 0
    if s.get('properties'):
        return {k: shape(v, seen) for k, v in s['properties'].items()}
    if s.get('type') == 'array':
        sub = shape(s.get('items', {}), seen)
        return [sub] if sub != 0 else 0
    ap = s.get('additionalProperties')
    if isinstance(ap, dict):
        sub = shape(ap, seen)
        return {'*': sub} if sub != 0 else 0
    return 0


def body_schema(method, path):
    for prm in doc['paths'][path][method].get('parameters', []):
        if prm.get('in') == 'body':
            return prm['schema']
    raise SystemExit(f'no body for {method} {path}')


print('/**')
print(' * Field names of the request bodies berth decodes, generated from the Engine API v1.43')
print(' * swagger by scripts/gen-json-shapes.py (do not edit by hand). A shape is 0 (a value with no')
print(" * fields inside), an object of field -> shape (a struct), { '*': shape } (a map) or [shape]")
print(' * (an array). The server matches keys against them case-insensitively, as Go does.')
print(' */')
print('export type JsonShape = 0 | readonly [JsonShape] | { readonly [field: string]: JsonShape };')
print()
print('export const JSON_SHAPES = {')
for name, method, path in BODIES:
    print(f'  {name}: {json.dumps(shape(body_schema(method, path)), separators=(",", ":"))},')
print('} as const satisfies Record<string, JsonShape>;')
