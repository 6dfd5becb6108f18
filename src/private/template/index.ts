/**
 * A dependency-free reader of REST APIs in synthesized CloudFormation templates, shared by the
 * constructs' validation and the local gateway. Imports nothing outside this folder.
 */
export * from './types';
export * from './intrinsics';
export * from './lambda';
export * from './openapi';
export * from './rest-apis';
export * from './stages';
export * from './merge';
