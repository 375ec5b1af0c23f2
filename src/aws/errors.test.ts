import { describe, expect, it } from 'vitest';
import { fromAwsError } from './errors.js';

const sdkError = (name: string, status: number | undefined, attempts?: number, message = 'UnknownError') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts } });

describe('fromAwsError', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a bodiless HEAD 503 after retries', sdkError('Unknown', 503, 5), 'AWS_UNAVAILABLE', /^Could not read s3:\/\/b\/k: AWS kept failing \(HTTP 503\) after 5 attempts$/],
    ['503 SlowDown', sdkError('SlowDown', 503, 3, 'Please reduce your request rate.'), 'AWS_UNAVAILABLE', /AWS kept failing \(SlowDown, HTTP 503\) after 3 attempts/],
    ['500 InternalError', sdkError('InternalError', 500, 1), 'AWS_UNAVAILABLE', /\(InternalError, HTTP 500\) after 1 attempt$/],
    ['throttling without a status', sdkError('ThrottlingException', undefined), 'AWS_UNAVAILABLE', /\(ThrottlingException, HTTP 5xx\)$/],
    ['403', sdkError('Unknown', 403), 'AWS_ACCESS_DENIED', /access denied/],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'AWS_UNREACHABLE', /could not be reached \(ECONNRESET\)/],
    ['NoSuchKey on a key of a bucket named like a bucket', sdkError('NoSuchKey', 404, 1, 'The specified key does not exist.'), 'AWS_NO_SUCH_KEY', /^Could not read s3:\/\/b\/k: the object does not exist$/],
    ['NoSuchBucket', sdkError('NoSuchBucket', 404, 1, 'The specified bucket does not exist'), 'AWS_NO_SUCH_BUCKET', /the bucket does not exist$/],
    ['anything else', sdkError('Weird', 400, 1, 'odd'), 'AWS_ERROR', /Weird: odd$/],
  ])('%s', (_name, error, code, message) => {
    const mapped = fromAwsError(error, 'read s3://b/k');
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.suggestion).toBeTruthy();
  });

  it('a 404 names the bucket only for bucket-level calls (CopyObject NoSuchKey in a bucket called "my-bucket" is the key)', () => {
    expect(fromAwsError(sdkError('NoSuchKey', 404, 1), 'update the headers of s3://my-bucket/plus+sign.txt').message).toBe('Could not update the headers of s3://my-bucket/plus+sign.txt: the object does not exist');
    expect(fromAwsError(sdkError('NotFound', 404, 1), 'read s3://my-bucket/k').code).not.toBe('AWS_NO_SUCH_BUCKET');
    expect(fromAwsError(sdkError('NotFound', 404, 1), 'check bucket my-bucket').code).toBe('AWS_NO_SUCH_BUCKET');
    expect(fromAwsError(sdkError('NotFound', 404, 1), 'list bucket my-bucket').code).toBe('AWS_NO_SUCH_BUCKET');
  });

  it('suggests more retries for an exhausted 503', () => {
    expect(fromAwsError(sdkError('Unknown', 503, 5), 'x').suggestion).toMatch(/AWS_MAX_ATTEMPTS/);
  });
});
