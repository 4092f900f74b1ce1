/** The bundle's file of Service Connect requests (dist/lambda/service-connect.js, which lambda/router.ts requires). */
import { handlerWith } from '../entry';
import { createServiceConnectBackend } from '../serviceconnect/backend';

export const handler = handlerWith({ ServiceConnect: createServiceConnectBackend });
