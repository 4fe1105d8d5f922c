import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILD_LABEL } from '../builder/index.js';
import { BUILD_CONTAINER_LABEL } from './build-sweep.js';

test("the boot sweep's label is the builder's", () => {
  assert.equal(BUILD_CONTAINER_LABEL, BUILD_LABEL);
});
