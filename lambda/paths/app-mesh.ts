/** The bundle's file of App Mesh requests (dist/lambda/app-mesh.js, which lambda/router.ts requires). */
import { createAppMeshBackend } from '../appmesh/backend';
import { handlerWith } from '../entry';

export const handler = handlerWith({ AppMesh: createAppMeshBackend });
