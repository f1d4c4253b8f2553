// The modules of the adapter both Lambda entries use (@vendia/serverless-express is now a name that
// re-exports @codegenie/serverless-express, which does the work): how each source's event becomes the
// method, path, headers and body the app receives and its answer the source's result, and the request and
// response it hands the app. They carry no types; these are the calls as event-source.ts makes them.
declare module '@codegenie/serverless-express/src/event-sources/aws/*' {
  interface RequestValues {
    method: string
    /** With its query string, percent-encoded. */
    path: string
    /** Lower-case names; repeated values joined. */
    headers: Record<string, string | number | undefined>
    body?: Buffer
    remoteAddress?: string
  }
  interface ResponseValues {
    event: object
    statusCode: number
    body: string
    headers: Record<string, unknown>
    isBase64Encoded: boolean
    response: object
  }
  const source: {
    getRequest(options: { event: object }): RequestValues
    /** The result for the source: an HttpResult (events.ts), with whichever of its fields the source reads. */
    getResponse(options: ResponseValues): unknown
  }
  export default source
}

declare module '@codegenie/serverless-express/src/request' {
  /** An IncomingMessage whose body is `body`, whole; `url` is the path with its query. */
  export default class ServerlessRequest {
    constructor(options: { method: string; url: string; headers: object; body?: Buffer; remoteAddress?: string })
  }
}

declare module '@codegenie/serverless-express/src/response' {
  /** A ServerResponse that collects what the app writes; `body` and `headers` are what it collected. */
  export default class ServerlessResponse {
    constructor(request: object)
    static body(response: object): Buffer
    static headers(response: object): Record<string, unknown>
  }
}
