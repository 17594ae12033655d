// Kazoo's AMQP messages as the gateway reads them: the examples of kazoo-events.md (Kamailio's reg_success with its
// numbers, booleans and CCVs; an unregister; ecallmgr's deregister; kazoo_data's doc_edited), what the simulator
// publishes read back the same way, and messages that are not what they claim refused rather than guessed at.
import { describe, expect, it } from 'vitest';
import { encodeRoutingWord, parseDeregister, parseDocumentNotice, parseRegSuccess } from '../../src/kazoo/amqp-events.js';
import { deregister, documentEvent, encodeWord, regSuccess } from '../../src/simulator/kazoo-events.js';
import type { RegistrationFacts } from '../../src/simulator/kazoo-events.js';
import type { StoredDoc } from '../../src/simulator/store.js';

const KAMAILIO_REG_SUCCESS = {
  'Event-Category': 'directory', 'Event-Name': 'reg_success', Status: 'Registered',
  'Event-Timestamp': 1701700000, Expires: 600, 'First-Registration': true,
  Contact: '<sip:user_k3j2h1@198.51.100.7:5060;ob>', 'Call-ID': '3848276298220188511@198.51.100.7',
  Realm: 'acme.sip.example.com', Username: 'user_k3j2h1', 'User-Agent': 'Yealink SIP-T46S 66.86.0.15',
  'Custom-Channel-Vars': {
    'Account-ID': '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10', 'Authorizing-ID': '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e',
    'Authorizing-Type': 'device', 'Owner-ID': '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49',
  },
  'Proxy-Port': '5060', 'Source-IP': '198.51.100.7', 'Source-Port': '5060',
  'App-Name': 'kamailio', 'App-Version': '5.4.9', 'Msg-ID': '0f6d2a4e-6a1b-4c1e-9a9f-2b8e1c3d4f5a',
};

describe('reg_success', () => {
  it('names the device and account from the CCVs and reads Kamailio\'s Unix time', () => {
    expect(parseRegSuccess(KAMAILIO_REG_SUCCESS)).toEqual({
      accountId: '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10',
      deviceId: '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e',
      ownerId: '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49',
      username: 'user_k3j2h1',
      realm: 'acme.sip.example.com',
      registered: true,
      firstRegistration: true,
      expiresSeconds: 600,
      at: 1701700000 * 1000,
      contact: '<sip:user_k3j2h1@198.51.100.7:5060;ob>',
      callId: '3848276298220188511@198.51.100.7',
      userAgent: 'Yealink SIP-T46S 66.86.0.15',
      sourceIp: '198.51.100.7',
      sourcePort: '5060',
    });
  });

  it('reads Expires 0 (or Status Unregistered) as an unregister', () => {
    expect(parseRegSuccess({ ...KAMAILIO_REG_SUCCESS, Expires: 0, Status: 'Unregistered' })?.registered).toBe(false);
    expect(parseRegSuccess({ ...KAMAILIO_REG_SUCCESS, Status: 'Unregistered' })?.registered).toBe(false);
  });

  it('refuses one without a device (FreeSWITCH-originated, no CCVs), or of another event', () => {
    const { 'Custom-Channel-Vars': _ccvs, ...bare } = KAMAILIO_REG_SUCCESS;
    expect(parseRegSuccess(bare)).toBeUndefined();
    expect(parseRegSuccess({ ...KAMAILIO_REG_SUCCESS, 'Event-Name': 'reg_query' })).toBeUndefined();
    expect(parseRegSuccess({ ...KAMAILIO_REG_SUCCESS, Expires: 'soon' })).toBeUndefined();
    expect(parseRegSuccess('not json')).toBeUndefined();
  });
});

describe('deregister and doc_*', () => {
  it('reads ecallmgr\'s deregister, and ignores a Crossbar preview', () => {
    const notice = {
      'Account-ID': '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10', 'Authorizing-ID': '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e',
      Username: 'user_k3j2h1', Realm: 'acme.sip.example.com', 'Event-Timestamp': 63869519200, Expires: 780,
      'Event-Category': 'notification', 'Event-Name': 'deregister',
    };
    expect(parseDeregister(notice)).toEqual({
      accountId: '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10',
      deviceId: '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e',
      username: 'user_k3j2h1',
      realm: 'acme.sip.example.com',
    });
    expect(parseDeregister({ ...notice, Preview: true })).toBeUndefined();
  });

  it('reads doc_edited, taking the account from the database name when Account-ID is missing', () => {
    const event = {
      ID: '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e', Type: 'device', Database: 'account%2F3a%2F31%2Fd5e2b7c14f0e9a8b6c5d4e3f2a10',
      Rev: '7-6f3a9c0e2b8d4a1f5c7e9b0d2a4c6e8f', 'Is-Soft-Deleted': false, 'Event-Category': 'configuration', 'Event-Name': 'doc_edited',
    };
    expect(parseDocumentNotice(event)).toEqual({
      action: 'edited',
      type: 'device',
      id: '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e',
      accountId: '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10',
      rev: '7-6f3a9c0e2b8d4a1f5c7e9b0d2a4c6e8f',
      softDeleted: false,
    });
    expect(parseDocumentNotice({ ...event, 'Event-Name': 'db_created' })).toBeUndefined();
    expect(parseDocumentNotice({ ...event, Database: 'sip_auth' })?.accountId).toBeUndefined();
  });

  it('encodes routing-key words as kz_amqp_util:encode/1 does', () => {
    expect(encodeRoutingWord('acme.sip.example.com')).toBe('acme%2Esip%2Eexample%2Ecom');
    expect(encodeRoutingWord('a b/c')).toBe('a+b%2Fc');
    expect(encodeWord('acme.sip.example.com')).toBe(encodeRoutingWord('acme.sip.example.com'));
  });
});

describe('what the simulator publishes', () => {
  const registration: RegistrationFacts = {
    accountId: '3a31d5e2b7c14f0e9a8b6c5d4e3f2a10', deviceId: '5b1d0c9e8f7a4b3c2d1e0f9a8b7c6d5e', ownerId: undefined,
    username: 'user_k3j2h1', realm: 'acme.sip.example.com', userAgent: 'Yealink', contactIp: '192.168.1.20', contactPort: 5060,
    networkIp: '203.0.113.9', networkPort: 40000, proxyIp: '10.26.0.10', callId: 'abc@192.168.1.20', expiresSeconds: 300,
    refreshedAt: Date.UTC(2026, 11, 5), suppressUnregisterNotify: false,
  };

  it('is Kamailio\'s reg_success: types, routing key and CCVs as the gateway reads them', () => {
    const message = regSuccess(registration, undefined, 'new', Date.UTC(2026, 11, 5));
    expect(message.exchange).toBe('registrar');
    expect(message.routingKey).toBe('registration.success.acme%2Esip%2Eexample%2Ecom.user_k3j2h1');
    expect(message.body).toMatchObject({ 'Event-Timestamp': Date.UTC(2026, 11, 5) / 1000, Expires: 300, 'First-Registration': true, 'Proxy-Port': '5060' });
    expect(parseRegSuccess(message.body)).toMatchObject({ deviceId: registration.deviceId, registered: true, at: Date.UTC(2026, 11, 5) });
    const unregister = regSuccess(registration, undefined, 'unregister', Date.UTC(2026, 11, 5));
    expect(unregister.body).toMatchObject({ Expires: 0, Status: 'Unregistered', 'First-Registration': false });
  });

  it('is ecallmgr\'s deregister (padded Expires, Gregorian time) and kazoo_data\'s doc_deleted for a soft delete', () => {
    const notice = deregister(registration, false);
    expect(notice.routingKey).toBe('notifications.sip.deregister');
    expect(notice.body['Expires']).toBe(480);
    expect(notice.body['Event-Timestamp']).toBe(Date.UTC(2026, 11, 5) / 1000 + 62_167_219_200);
    expect(parseDeregister(notice.body)?.deviceId).toBe(registration.deviceId);

    const doc = {
      _id: 'd1', _rev: '2-x', pvt_type: 'device', pvt_created: 1, pvt_modified: 2, pvt_account_id: registration.accountId,
      pvt_account_db: 'account%2F3a%2F31%2Fd5e2b7c14f0e9a8b6c5d4e3f2a10', pvt_vsn: '1', pvt_deleted: true,
    } as StoredDoc;
    const event = documentEvent(doc, 'deleted');
    expect(event.routingKey).toBe('doc_deleted.account%2F3a%2F31%2Fd5e2b7c14f0e9a8b6c5d4e3f2a10.device.d1');
    expect(event.body).toMatchObject({ 'Is-Soft-Deleted': true, 'Date-Modified': 1, 'Date-Created': 2 });
    expect(event.body).not.toHaveProperty('Doc');
    expect(parseDocumentNotice(event.body)).toMatchObject({ action: 'deleted', softDeleted: true, accountId: registration.accountId });
  });
});
