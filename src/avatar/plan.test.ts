import { describe, expect, it } from 'vitest';
import { assetsKey, describeImageError, imageErrorSuggestion, isImageName, outputName, planOutputs } from './plan.js';

describe('isImageName', () => {
  it.each([
    ['photo.jpg', true],
    ['PHOTO.JPEG', true],
    ['a/b/c.png', true],
    ['x.heic', true],
    ['notes.txt', false],
    ['README', false],
    ['.hidden.jpg', false],
    ['archive.jpg.zip', false],
  ])('%s -> %s', (name, expected) => {
    expect(isImageName(name)).toBe(expected);
  });
});

describe('outputName and assetsKey (the Lambda naming)', () => {
  it.each([
    ['data.jpg', 'data.jpg', 'avatars/data.jpg'],
    ['dir/Photo.PNG', 'Photo.jpg', 'avatars/Photo.jpg'],
    ['no-extension', 'no-extension.jpg', 'avatars/no-extension.jpg'],
    ['my.photo.webp', 'my.photo.jpg', 'avatars/my.photo.jpg'],
    ['7b1c0c9e-uuid.jpeg', '7b1c0c9e-uuid.jpg', 'avatars/7b1c0c9e-uuid.jpg'],
  ])('%s -> %s / %s', (input, local, key) => {
    expect(outputName(input)).toBe(local);
    expect(assetsKey(input)).toBe(key);
  });

  it('honours another folder with or without a trailing slash', () => {
    expect(assetsKey('a.png', 'thumbs/')).toBe('thumbs/a.jpg');
    expect(assetsKey('a.png', 'thumbs')).toBe('thumbs/a.jpg');
  });
});

describe('planOutputs', () => {
  it.each([
    {
      name: 'distinct names',
      inputs: ['a.png', 'b.jpg'],
      jobs: [['a.png', 'out/a.jpg'], ['b.jpg', 'out/b.jpg']],
      rejected: [],
    },
    {
      name: 'two inputs with one output: the second is rejected',
      inputs: ['x/a.png', 'y/a.jpg'],
      jobs: [['x/a.png', 'out/a.jpg']],
      rejected: [['y/a.jpg', /x\/a\.png already writes/]],
    },
    {
      name: 'the same file twice is processed once',
      inputs: ['a.png', './a.png'],
      jobs: [['a.png', 'out/a.jpg']],
      rejected: [],
    },
    {
      name: 'an output that would replace its input',
      inputs: ['out/a.jpg'],
      jobs: [],
      rejected: [['out/a.jpg', /overwrite itself/]],
    },
    {
      name: "an output that would replace another input (--out the inputs' folder), in either order",
      inputs: ['out/me.jpg', 'out/me.png', 'out/you.png', 'out/you.jpg'],
      jobs: [],
      rejected: [
        ['out/me.jpg', /overwrite itself/],
        ['out/me.png', /which is the input out\/me\.jpg/],
        ['out/you.png', /which is the input out\/you\.jpg/],
        ['out/you.jpg', /overwrite itself/],
      ],
    },
  ])('$name', ({ inputs, jobs, rejected }) => {
    const plan = planOutputs(inputs, 'out');
    expect(plan.jobs.map((j) => [j.input, j.output])).toEqual(jobs);
    expect(plan.rejected.length).toBe(rejected.length);
    plan.rejected.forEach((r, i) => {
      expect(r.input).toBe(rejected[i]?.[0]);
      expect(r.reason).toMatch(rejected[i]?.[1] as RegExp);
    });
  });
});

describe('describeImageError', () => {
  it.each([
    ['', 0, /^empty file \(0 bytes\)$/],
    ['Input file contains unsupported image format', 5, /not an image in a supported format/],
    ['VipsJpeg: premature end of JPEG image', 100, /^truncated or corrupt image \(VipsJpeg: premature end of JPEG image\)$/],
    // libvips sometimes reports a truncated JPEG only as the warning that failOn turned into an error.
    ['Warning treated as error due to failOn setting', 100, /^truncated or corrupt image \(Warning treated as error due to failOn setting\)$/],
    ["Input file has corrupt header: /tmp/x.heic: bad seek to 1024\nheif: Invalid input: No 'hvcC' box (2.106)", 100, /^HEIC\/HEIF image that sharp cannot decode \(heif: Invalid input: No 'hvcC' box \(2\.106\)\); convert it/],
    ['Input image exceeds pixel limit', 100, /pixel limit/],
    ['something else\nlast line', 100, /^last line$/],
  ])('%j', (message, size, expected) => {
    expect(describeImageError(message, size)).toMatch(expected);
  });

  // The Try: line fits the reason: a JPEG over the pixel limit is not told to "upload a JPEG".
  it.each([
    ['Input image exceeds pixel limit', 100, /^resize it below 268 megapixels/],
    ['VipsJpeg: premature end of JPEG image', 100, /^export or download the image again/],
    ['', 0, /^export or download the image again/],
    ["heif: Invalid input: No 'hvcC' box", 100, /^convert it to JPEG or PNG/],
    ['Input file contains unsupported image format', 5, /^upload a JPEG, PNG/],
  ])('suggestion for %j', (message, size, expected) => {
    expect(imageErrorSuggestion(message, size)).toMatch(expected);
  });
});
