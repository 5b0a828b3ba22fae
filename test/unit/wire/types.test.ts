/** Type-level tests of the public wire types: the discriminated union, and fit with the Kafka client. */
import { describe, expectTypeOf, it } from 'vitest';
// Types only: nothing of the client is loaded at run time.
import type { Message, MessageHeader } from '@confluentinc/kafka-javascript';
import type {
  ConnectionCause,
  ConnectionEvent,
  DataEvent,
  EmptyNotification,
  EncodedRecord,
  HonoEvent,
  HonoEventInit,
  HonoEventType,
  KafkaRecord,
  ProvisioningNotification,
  QoS,
} from '../../../src/index.js';
import { decodeEvent, encodeEvent } from '../../../src/index.js';

describe('HonoEvent', () => {
  it('is discriminated by type', () => {
    expectTypeOf<HonoEvent['type']>().toEqualTypeOf<HonoEventType>();
    expectTypeOf<HonoEventType>().toEqualTypeOf<
      'emptyNotification' | 'connection' | 'provisioning' | 'event'
    >();
    expectTypeOf<Extract<HonoEvent, { type: 'emptyNotification' }>>().toEqualTypeOf<EmptyNotification>();
    expectTypeOf<Extract<HonoEvent, { type: 'connection' }>>().toEqualTypeOf<ConnectionEvent>();
    expectTypeOf<Extract<HonoEvent, { type: 'provisioning' }>>().toEqualTypeOf<ProvisioningNotification>();
    expectTypeOf<Extract<HonoEvent, { type: 'event' }>>().toEqualTypeOf<DataEvent>();
  });

  it('narrows to the kind in a switch', () => {
    const check = (event: HonoEvent): void => {
      switch (event.type) {
        case 'emptyNotification':
          expectTypeOf(event).toEqualTypeOf<EmptyNotification>();
          break;
        case 'connection':
          expectTypeOf(event.cause).toEqualTypeOf<ConnectionCause>();
          expectTypeOf(event.remoteId).toEqualTypeOf<string>();
          expectTypeOf(event.data).toEqualTypeOf<Readonly<Record<string, unknown>> | undefined>();
          break;
        case 'provisioning':
          expectTypeOf(event.registrationStatus).toEqualTypeOf<string>();
          expectTypeOf(event.gatewayId).toEqualTypeOf<string | undefined>();
          break;
        case 'event':
          expectTypeOf(event.payload).toEqualTypeOf<Buffer>();
          expectTypeOf(event.contentType).toEqualTypeOf<string>();
          break;
        default:
          expectTypeOf(event).toBeNever();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('carries the common fields on every kind', () => {
    expectTypeOf<HonoEvent['creationTime']>().toEqualTypeOf<Date>();
    expectTypeOf<HonoEvent['ttd']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<HonoEvent['ttl']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<HonoEvent['qos']>().toEqualTypeOf<QoS>();
    expectTypeOf<QoS>().toEqualTypeOf<0 | 1>();
    expectTypeOf<HonoEvent['retain']>().toEqualTypeOf<boolean>();
    expectTypeOf<HonoEvent['endpoint']>().toEqualTypeOf<'event' | 'telemetry'>();
    expectTypeOf<HonoEvent['offset']>().toEqualTypeOf<number>();
    expectTypeOf<HonoEvent['key']>().toEqualTypeOf<Buffer | null>();
    expectTypeOf<EmptyNotification>().not.toHaveProperty('payload');
    expectTypeOf<ConnectionEvent>().not.toHaveProperty('payload');
  });

  it('is read-only', () => {
    // @ts-expect-error: fields of a decoded event are readonly
    const assign = (event: HonoEvent): void => void (event.deviceId = 'x');
    expectTypeOf(assign).toBeFunction();
  });
});

describe('records', () => {
  it("accepts the Kafka client's consumed Message as is", () => {
    expectTypeOf<Message>().toExtend<KafkaRecord>();
    expectTypeOf(decodeEvent).parameter(0).toEqualTypeOf<KafkaRecord>();
    expectTypeOf(decodeEvent).returns.toEqualTypeOf<HonoEvent>();
  });

  it("gives the client's producer what it takes", () => {
    expectTypeOf<EncodedRecord['headers']>().toExtend<MessageHeader[]>();
    expectTypeOf<EncodedRecord['value']>().toEqualTypeOf<Buffer | null>();
    expectTypeOf<EncodedRecord['key']>().toEqualTypeOf<Buffer>();
  });

  it('lets an encoded record be decoded once it has coordinates, and a decoded event be encoded', () => {
    expectTypeOf<EncodedRecord & { partition: number; offset: number }>().toExtend<KafkaRecord>();
    expectTypeOf<HonoEvent>().toExtend<HonoEventInit>();
    expectTypeOf(encodeEvent).returns.toEqualTypeOf<EncodedRecord>();
  });

  it('rejects an init whose fields do not match its type', () => {
    // @ts-expect-error: an empty notification has no payload
    const bad: HonoEventInit = { type: 'emptyNotification', tenantId: 't', deviceId: 'd', payload: 'x' };
    // @ts-expect-error: a connection event needs cause, remoteId and source
    const incomplete: HonoEventInit = { type: 'connection', tenantId: 't', deviceId: 'd' };
    expectTypeOf([bad, incomplete]).toBeArray();
  });
});
