import { randomInt } from 'node:crypto';

const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful',
  'hungry', 'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing',
  'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic',
  'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

const RIGHT = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell', 'bhabha',
  'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brattain', 'brown', 'carson', 'cerf',
  'chandrasekhar', 'chatelet', 'clarke', 'cohen', 'curie', 'darwin', 'davinci', 'dijkstra', 'dirac', 'easley',
  'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin',
  'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hertz', 'hodgkin', 'hopper',
  'hypatia', 'jackson', 'jang', 'jennings', 'johnson', 'joliot', 'kalam', 'keller', 'kepler', 'khorana',
  'knuth', 'kowalevski', 'lalande', 'lamarr', 'leakey', 'leavitt', 'lovelace', 'lumiere', 'margulis', 'mayer',
  'mccarthy', 'mcclintock', 'meitner', 'mendel', 'merkle', 'minsky', 'mirzakhani', 'morse', 'napier', 'newton',
  'nobel', 'noether', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan',
  'ride', 'ritchie', 'rosalind', 'sammet', 'shannon', 'shaw', 'shockley', 'sinoussi', 'snyder', 'swanson',
  'tesla', 'thompson', 'torvalds', 'turing', 'varahamihira', 'villani', 'volhard', 'wescoff', 'wiles', 'williams',
  'wilson', 'wing', 'wozniak', 'wright', 'yalow', 'yonath',
];

/**
 * A Docker-style random name `adjective_surname`; `retry > 0` appends a digit like Docker.
 * @example generateName() // 'focused_turing'
 */
export function generateName(retry = 0, pick: (n: number) => number = randomInt): string {
  const name = `${LEFT[pick(LEFT.length)]}_${RIGHT[pick(RIGHT.length)]}`;
  return retry > 0 ? `${name}${pick(10)}` : name;
}
