/** The metadata check of the wire contract (`wire/contract.ts`), exported by the runtime. */
export { validateMetadata, MetadataError } from '../../wire/contract';
