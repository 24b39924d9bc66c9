// A client's JS-API may never answer (a page opened outside the client with its user agent, an
// old client): its promise is given up after `ms` with a Chinese message.

export function timeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
