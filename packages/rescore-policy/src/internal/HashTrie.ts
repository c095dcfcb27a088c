/**
 * A persistent map from strings to values (a hash array mapped trie): `set` and `remove` return a
 * new map and share every untouched branch with the old one, so the rescore state can be updated
 * in O(log32 n) without ever mutating a value a caller still holds.
 */

// ---------------------------------------------------------------- model

interface Leaf<V> {
  readonly _tag: 'Leaf'
  readonly hash: number
  readonly key: string
  readonly value: V
}

interface Collision<V> {
  readonly _tag: 'Collision'
  readonly hash: number
  readonly leaves: ReadonlyArray<Leaf<V>>
}

interface Branch<V> {
  readonly _tag: 'Branch'
  readonly bitmap: number
  readonly children: ReadonlyArray<TrieNode<V>>
}

type TrieNode<V> = Leaf<V> | Collision<V> | Branch<V>

/** A persistent string-keyed map. */
export interface HashTrie<V> {
  readonly root: TrieNode<V> | undefined
  readonly size: number
}

// ---------------------------------------------------------------- constructors

const emptyTrie: HashTrie<never> = { root: undefined, size: 0 }

/** The empty map. */
export const empty = <V>(): HashTrie<V> => emptyTrie

// ---------------------------------------------------------------- internals

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit integer. */
const hashOf = (key: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const popcount = (x: number): number => {
  let n = x - ((x >>> 1) & 0x55555555)
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333)
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

const fragment = (hash: number, shift: number): number => (hash >>> shift) & 31

const hashOfNode = <V>(node: Leaf<V> | Collision<V>): number => node.hash

/** A branch holding two nodes whose hashes differ. */
const merge = <V>(shift: number, a: Leaf<V> | Collision<V>, b: Leaf<V> | Collision<V>): Branch<V> => {
  const fa = fragment(hashOfNode(a), shift)
  const fb = fragment(hashOfNode(b), shift)
  if (fa === fb) return { _tag: 'Branch', bitmap: 1 << fa, children: [merge(shift + 5, a, b)] }
  return {
    _tag: 'Branch',
    bitmap: (1 << fa) | (1 << fb),
    children: fa < fb ? [a, b] : [b, a],
  }
}

const replaceAt = <A>(xs: ReadonlyArray<A>, i: number, x: A): A[] => {
  const copy = xs.slice()
  copy[i] = x
  return copy
}

const insertAt = <A>(xs: ReadonlyArray<A>, i: number, x: A): A[] => {
  const copy = xs.slice()
  copy.splice(i, 0, x)
  return copy
}

const removeAt = <A>(xs: ReadonlyArray<A>, i: number): A[] => {
  const copy = xs.slice()
  copy.splice(i, 1)
  return copy
}

const getNode = <V>(node: TrieNode<V> | undefined, hash: number, key: string): V | undefined => {
  let shift = 0
  let current = node
  while (current !== undefined) {
    switch (current._tag) {
      case 'Leaf':
        return current.key === key ? current.value : undefined
      case 'Collision': {
        if (current.hash !== hash) return undefined
        for (const leaf of current.leaves) if (leaf.key === key) return leaf.value
        return undefined
      }
      case 'Branch': {
        const bit = 1 << fragment(hash, shift)
        if ((current.bitmap & bit) === 0) return undefined
        current = current.children[popcount(current.bitmap & (bit - 1))]
        shift += 5
      }
    }
  }
  return undefined
}

/** `added` reports whether the key was new (a local flag: the function stays pure). */
const setNode = <V>(
  node: TrieNode<V> | undefined,
  shift: number,
  leaf: Leaf<V>,
  added: { value: boolean },
): TrieNode<V> => {
  if (node === undefined) {
    added.value = true
    return leaf
  }
  switch (node._tag) {
    case 'Leaf': {
      if (node.key === leaf.key) return node.value === leaf.value ? node : leaf
      added.value = true
      if (node.hash === leaf.hash) return { _tag: 'Collision', hash: leaf.hash, leaves: [node, leaf] }
      return merge(shift, node, leaf)
    }
    case 'Collision': {
      if (node.hash !== leaf.hash) {
        added.value = true
        return merge(shift, node, leaf)
      }
      const i = node.leaves.findIndex((l) => l.key === leaf.key)
      if (i < 0) {
        added.value = true
        return { ...node, leaves: [...node.leaves, leaf] }
      }
      return { ...node, leaves: replaceAt(node.leaves, i, leaf) }
    }
    case 'Branch': {
      const bit = 1 << fragment(leaf.hash, shift)
      const i = popcount(node.bitmap & (bit - 1))
      if ((node.bitmap & bit) === 0) {
        added.value = true
        return { _tag: 'Branch', bitmap: node.bitmap | bit, children: insertAt(node.children, i, leaf) }
      }
      const child = node.children[i]
      const next = setNode(child, shift + 5, leaf, added)
      return next === child ? node : { ...node, children: replaceAt(node.children, i, next) }
    }
  }
}

/** The node without the key: `undefined` when it becomes empty, the same node when the key is absent. */
const removeNode = <V>(
  node: TrieNode<V>,
  shift: number,
  hash: number,
  key: string,
): TrieNode<V> | undefined => {
  switch (node._tag) {
    case 'Leaf':
      return node.key === key ? undefined : node
    case 'Collision': {
      if (node.hash !== hash) return node
      const i = node.leaves.findIndex((l) => l.key === key)
      if (i < 0) return node
      const rest = removeAt(node.leaves, i)
      return rest.length === 1 && rest[0] !== undefined ? rest[0] : { ...node, leaves: rest }
    }
    case 'Branch': {
      const bit = 1 << fragment(hash, shift)
      if ((node.bitmap & bit) === 0) return node
      const i = popcount(node.bitmap & (bit - 1))
      const child = node.children[i]
      if (child === undefined) return node
      const next = removeNode(child, shift + 5, hash, key)
      if (next === child) return node
      if (next === undefined) {
        const children = removeAt(node.children, i)
        if (children.length === 0) return undefined
        const only = children[0]
        // A lone leaf or collision moves up; a lone branch must stay where its hash bits say.
        if (children.length === 1 && only !== undefined && only._tag !== 'Branch') return only
        return { _tag: 'Branch', bitmap: node.bitmap & ~bit, children }
      }
      if (node.children.length === 1 && next._tag !== 'Branch') return next
      return { ...node, children: replaceAt(node.children, i, next) }
    }
  }
}

function* leavesOf<V>(node: TrieNode<V> | undefined): Generator<Leaf<V>> {
  if (node === undefined) return
  switch (node._tag) {
    case 'Leaf':
      yield node
      return
    case 'Collision':
      yield* node.leaves
      return
    case 'Branch':
      for (const child of node.children) yield* leavesOf(child)
  }
}

// ---------------------------------------------------------------- operations

/** The value under `key`, if any. */
export const get = <V>(map: HashTrie<V>, key: string): V | undefined => getNode(map.root, hashOf(key), key)

/** A map with `key` bound to `value`; the same map when it already was. */
export const set = <V>(map: HashTrie<V>, key: string, value: V): HashTrie<V> => {
  const added = { value: false }
  const root = setNode(map.root, 0, { _tag: 'Leaf', hash: hashOf(key), key, value }, added)
  return root === map.root ? map : { root, size: map.size + (added.value ? 1 : 0) }
}

/** A map without `key`; the same map when it had none. */
export const remove = <V>(map: HashTrie<V>, key: string): HashTrie<V> => {
  if (map.root === undefined) return map
  const root = removeNode(map.root, 0, hashOf(key), key)
  return root === map.root ? map : { root, size: map.size - 1 }
}

/** Every entry, in no particular order. */
export function* entries<V>(map: HashTrie<V>): Generator<readonly [string, V]> {
  for (const leaf of leavesOf(map.root)) yield [leaf.key, leaf.value]
}

/**
 * The map with each value replaced by `f(key, value)`, dropping those for which it returns
 * `undefined`; the same map when nothing changed.
 */
export const filterMap = <V>(map: HashTrie<V>, f: (key: string, value: V) => V | undefined): HashTrie<V> => {
  let result = map
  for (const leaf of leavesOf(map.root)) {
    const next = f(leaf.key, leaf.value)
    if (next === undefined) result = remove(result, leaf.key)
    else if (next !== leaf.value) result = set(result, leaf.key, next)
  }
  return result
}

/** A map from entries (later entries win). */
export const fromEntries = <V>(items: Iterable<readonly [string, V]>): HashTrie<V> => {
  let result = empty<V>()
  for (const [k, v] of items) result = set(result, k, v)
  return result
}
