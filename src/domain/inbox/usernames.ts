import { randomInt } from 'node:crypto';

import { ValidationError } from '../../lib/errors';

const ADJECTIVES = `
able agile amber ample azure bold brave breezy bright brisk calm candid clever cobalt cool
cosmic cozy crisp curious daring dapper deft eager early easy electric elegant epic fair
fancy fast fearless fiery fluffy fond frank fresh frosty gentle giddy glad golden grand
happy hardy hazy hearty honest humble icy jolly keen kind lively lucky lunar magic mellow
merry mighty misty modest noble nimble odd olive pale patient peppy plucky polite proud
quick quiet rapid rosy royal rustic sandy savvy shiny silent silver simple sleek smart
snowy solar solid sonic spicy spry steady stormy sturdy sunny super swift tidy tiny
topaz tranquil trusty upbeat urban vast velvet vivid warm wavy wild windy wise witty
young zany zesty zippy
`
  .trim()
  .split(/\s+/);

const NOUNS = `
badger bear beaver bee bison boar bobcat camel canary cat cheetah cobra comet condor
coral cougar coyote crane crow deer dingo dolphin dove dragon duck eagle eel elk falcon
ferret finch fox frog gazelle gecko goose gopher hare hawk heron horse husky ibis iguana
jackal jaguar jay kestrel kiwi koala lark lemur leopard lion llama lobster lynx magpie
mantis marlin meerkat mink mole moose moth newt ocelot orca osprey otter owl panda
panther parrot pelican penguin pigeon pike puffin puma quail rabbit raven robin salmon
seal shark sparrow spider squid stork swan tapir tiger toad trout tuna turtle viper
vole walrus wasp weasel whale wolf wombat wren yak zebra
`
  .trim()
  .split(/\s+/);

const USERNAME_PATTERN = /^[a-z0-9._-]{1,64}$/;

/** Local parts held back for role mailboxes, refused as custom usernames. */
const RESERVED = new Set([
  'abuse',
  'admin',
  'administrator',
  'hostmaster',
  'info',
  'mailer-daemon',
  'no-reply',
  'noreply',
  'postmaster',
  'root',
  'security',
  'support',
  'webmaster',
]);

/** A readable random local part such as `swift.fox4291`. */
export function randomUsername(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)];
  const noun = NOUNS[randomInt(NOUNS.length)];
  const digits = String(randomInt(10_000)).padStart(4, '0');
  return `${adjective}.${noun}${digits}`;
}

/** Lower-cases and checks a chosen username; throws INVALID_USERNAME when unusable. */
export function normaliseUsername(input: string): string {
  const username = input.trim().toLowerCase();
  const valid =
    USERNAME_PATTERN.test(username) &&
    !username.startsWith('.') &&
    !username.endsWith('.') &&
    !username.includes('..');
  if (!valid) {
    throw new ValidationError(
      'Usernames are 1-64 letters, digits, ".", "_" or "-", with no leading, trailing or ' +
        'doubled dot',
      'INVALID_USERNAME',
    );
  }
  if (RESERVED.has(username)) {
    throw new ValidationError('This username is reserved', 'INVALID_USERNAME');
  }
  return username;
}
