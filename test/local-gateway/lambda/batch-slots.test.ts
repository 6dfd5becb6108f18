import { MessageChannel, MessagePort } from 'worker_threads';
import { BatchCredit, BatchMessage, BatchSender, Lease, SLOT_BYTES } from '../../../local-gateway/lambda/channel';

// A function thread writes its batches into shared slots and the gateway writes the clients'
// sockets straight from them: the bytes of a lent slot must stay as they were until every record
// of it was released, and a thread that finds no free slot (or a batch too big for one) must
// still send, as a copied message, without waiting.

interface Delivery { env: number; bytes: Buffer; lease?: Lease; kind: 'slot' | 'copy' }

function link(slots?: number) {
  const { port1, port2 } = new MessageChannel();
  const credit = new BatchCredit(() => undefined, slots);
  const sender = new BatchSender(port1 as unknown as MessagePort & typeof port1, credit.link);
  const deliveries: Delivery[] = [];
  let arrived: () => void = () => undefined;
  port2.on('message', (message: BatchMessage) => {
    const kind = typeof message === 'number' ? 'slot' : 'copy';
    credit.receive(message, (env, bytes, lease) => deliveries.push({ env, bytes, lease, kind }));
    arrived();
  });
  /** Writes `pieces` for `env` and waits for the batch to arrive. */
  const send = async (env: number, ...pieces: Buffer[]) => {
    const before = deliveries.length;
    const came = new Promise<void>((resolve) => (arrived = () => deliveries.length > before && resolve()));
    let called = false;
    sender.data(env, pieces, () => (called = true));
    await came;
    return { called: () => called, batch: deliveries.slice(before) };
  };
  const close = () => {
    port1.close();
    port2.close();
  };
  return { send, sender, close, credit };
}

describe('batch slots', () => {
  test('a batch that fits arrives lent from a slot, and its bytes stay intact until released', async () => {
    const { send, close } = link();
    try {
      const first = await send(1, Buffer.from('first batch'));
      expect(first.batch).toHaveLength(1);
      expect(first.batch[0]).toMatchObject({ env: 1, kind: 'slot' });
      expect(first.batch[0].lease).toBeDefined();
      // more batches while the first is lent: they must not overwrite it
      for (let i = 0; i < 5; i++) {
        const next = await send(1, Buffer.alloc(1000, 65 + i));
        expect(next.batch[0].bytes.equals(Buffer.alloc(1000, 65 + i))).toBe(true);
      }
      expect(first.batch[0].bytes.toString()).toBe('first batch');
    } finally {
      close();
    }
  });

  test('with every slot lent, a batch is copied into its message and the writer does not wait', async () => {
    const { send, close } = link(2);
    try {
      const a = await send(1, Buffer.from('a'));
      const b = await send(1, Buffer.from('b'));
      expect([a.batch[0].kind, b.batch[0].kind]).toEqual(['slot', 'slot']);
      const c = await send(1, Buffer.from('c'));
      expect(c.batch[0]).toMatchObject({ kind: 'copy', lease: undefined });
      expect(c.batch[0].bytes.toString()).toBe('c');
      expect(c.called()).toBe(true);
      // released: its slot is used again, and the other lent slot still holds its bytes
      a.batch[0].lease!.release();
      const d = await send(1, Buffer.from('d'));
      expect(d.batch[0].kind).toBe('slot');
      expect(b.batch[0].bytes.toString()).toBe('b');
    } finally {
      close();
    }
  });

  test('a slot shared by several records is free only when the last of them is released, once', async () => {
    const { send, sender, close } = link(1);
    try {
      // two environments write in the same turn: one batch, one slot, two leases
      const both = send(1, Buffer.from('one'));
      sender.data(2, [Buffer.from('two')], () => undefined);
      const { batch } = await both;
      expect(batch.map((d) => [d.env, d.bytes.toString(), d.kind])).toEqual([[1, 'one', 'slot'], [2, 'two', 'slot']]);
      batch[0].lease!.release();
      batch[0].lease!.release(); // a second release of the same record counts once
      expect((await send(3, Buffer.from('x'))).batch[0].kind).toBe('copy');
      expect(batch[1].bytes.toString()).toBe('two');
      batch[1].lease!.release();
      expect((await send(3, Buffer.from('y'))).batch[0].kind).toBe('slot');
    } finally {
      close();
    }
  });

  test('a batch bigger than a slot is copied whole', async () => {
    const { send, close } = link();
    try {
      const big = Buffer.alloc(SLOT_BYTES + 1, 7);
      const { batch } = await send(1, big);
      expect(batch[0].kind).toBe('copy');
      expect(batch[0].bytes.equals(big)).toBe(true);
    } finally {
      close();
    }
  });

  test('numbers and buffers that are no batch of the thread\'s are refused, and a lent slot stays lent', async () => {
    const { send, close, credit } = link(2);
    const none = () => {
      throw new Error('delivered');
    };
    try {
      // nothing taken yet: no slot number is a batch
      const numbers = [0, 1, 2, 2 ** 20, 2 ** 20 + 5, 2 * 2 ** 20, 2 ** 40, -1, 0.5, NaN, Infinity];
      for (const forged of numbers) expect(credit.receive(forged, none)).toBe(false);
      // records that overrun their buffer
      const overruns = [[0, 0, 0, 1, 255, 255, 255, 255], [0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 9, 1, 2]];
      for (const bytes of overruns) expect(credit.receive(new Uint8Array(bytes), none)).toBe(false);
      expect(credit.receive(new Uint8Array(0), none)).toBe(false);
      // a slot lent by the real link: a forged message for it neither frees nor lends it again
      const lent = await send(1, Buffer.from('lent'));
      expect(lent.batch[0].kind).toBe('slot');
      const other = await send(1, Buffer.from('other'));
      expect(other.batch[0].kind).toBe('slot');
      for (const forged of [0, 4, 2 ** 20, 2 ** 20 + 5]) expect(credit.receive(forged, none)).toBe(false);
      expect((await send(1, Buffer.from('full'))).batch[0].kind).toBe('copy');
      expect(lent.batch[0].bytes.toString()).toBe('lent');
    } finally {
      close();
    }
  });
});
