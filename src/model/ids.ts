/** Branded ids: a plain string cannot be passed where an InstanceId is expected. */
export type InstanceId = string & { readonly __brand: 'InstanceId' };
export type StackName = string & { readonly __brand: 'StackName' };

export const instanceId = (value: string): InstanceId => value as InstanceId;
export const stackName = (value: string): StackName => value as StackName;
