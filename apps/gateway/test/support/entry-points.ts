import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants';

/** A REST route as Nest registered it, e.g. `GET /api/events/:eventId/levels`. */
export interface RestRoute {
  method: string;
  path: string;
  key: string;
}

const GLOBAL_PREFIX = '/api';
/** Routes outside the global prefix (see configureApp). */
const UNPREFIXED = new Set(['/metrics']);

function joinPath(...parts: (string | undefined)[]): string {
  const path = `/${parts
    .filter((part): part is string => part !== undefined && part !== '' && part !== '/')
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .join('/')}`;
  return UNPREFIXED.has(path) ? path : `${GLOBAL_PREFIX}${path}`;
}

function handlerNames(metatype: Type): string[] {
  return new MetadataScanner().getAllMethodNames(metatype.prototype as object);
}

/**
 * Every REST route and socket message of the running app, read from Nest's own metadata (the
 * controllers' and gateways' decorators), so a test built on it covers a new route or message
 * without being told.
 */
export function entryPoints(app: INestApplication): { routes: RestRoute[]; messages: string[] } {
  const routes: RestRoute[] = [];
  const messages: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const metatype = wrapper.metatype as Type | null;
      if (!metatype) continue;
      const base = Reflect.getMetadata(PATH_METADATA, metatype) as string | undefined;
      for (const name of handlerNames(metatype)) {
        const handler = (metatype.prototype as Record<string, unknown>)[name] as object;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = joinPath(base, path);
        routes.push({ method: RequestMethod[method], path: full, key: `${RequestMethod[method]} ${full}` });
      }
    }
    for (const wrapper of module.providers.values()) {
      const metatype = wrapper.metatype as Type | null;
      if (!metatype || typeof metatype !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, metatype))
        continue;
      for (const name of handlerNames(metatype)) {
        const handler = (metatype.prototype as Record<string, unknown>)[name] as object;
        const message = Reflect.getMetadata(MESSAGE_METADATA, handler) as string | undefined;
        if (message !== undefined) messages.push(message);
      }
    }
  }
  return {
    routes: [...new Map(routes.map((route) => [route.key, route])).values()],
    messages: [...new Set(messages)],
  };
}
