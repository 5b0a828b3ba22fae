import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('the public surface', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        // the consumer
        'FailureOutcome',
        'HonoEventConsumer',
        'Ordering',
        // commands
        'DeviceWindows',
        'HonoCommandClient',
        'HonoCommandResponseConsumer',
        'diagnosticsChannels',
        // errors
        'CommandError',
        'CommandErrorCode',
        'CommitError',
        'DeviceUnreachableError',
        'InvalidCommandError',
        'isCommandError',
        'DecodeError',
        'DecodeErrorCode',
        'EncodeError',
        'ErrorCode',
        'HandlerError',
        'HandlerErrorCode',
        'HonoKafkaError',
        'KafkaClientError',
        'KafkaClientErrorCode',
        'OptionsError',
        'StateError',
        'TenantError',
        'isDecodeError',
        'isHonoKafkaError',
        // tenants and topics
        'HonoEndpoint',
        'MAX_TOPIC_NAME_LENGTH',
        'assertValidTenantId',
        'commandResponseTopic',
        'commandTopic',
        'eventTopic',
        'honoTopic',
        'isValidTenantId',
        'maxTenantIdLength',
        'parseHonoTopic',
        'telemetryTopic',
        'tenantOfTopic',
        // wire format
        'ConnectionCause',
        'HonoContentType',
        'HonoEventType',
        'HonoHeader',
        'QoS',
        'decodeEvent',
        'encodeConnectionEvent',
        'encodeDataEvent',
        'encodeEmptyNotification',
        'encodeEvent',
        'encodeProvisioningNotification',
        'findHeader',
        'headerText',
        // wire format of Command & Control
        'decodeCommand',
        'decodeCommandResponse',
        'deliveryFailureContentType',
        'deliveryFailureMetadataPrefix',
        'encodeCommandResponse',
        'encodeDeliveryFailure',
        'encodeOneWayCommand',
        'encodeRequestCommand',
        'isCommandExpired',
        // command window and expiry
        'CommandWindowKind',
        'commandWindow',
        'expiresAt',
        'isDeviceReachable',
        'isExpired',
        'remainingCommandWindow',
      ].sort(),
    );
  });

  it('keeps the as-const objects complete', () => {
    expect(Object.values(api.HonoEventType).sort()).toEqual([
      'connection',
      'emptyNotification',
      'event',
      'provisioning',
    ]);
    expect(api.QoS).toEqual({ AtMostOnce: 0, AtLeastOnce: 1 });
    expect(api.HonoEndpoint).toEqual({ Event: 'event', Telemetry: 'telemetry' });
  });
});
