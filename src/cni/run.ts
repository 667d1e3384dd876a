// STAND-IN for the CNI plugin (the real one comes from the wt-cni branch and replaces this file):
// answers VERSION, and every other command with the spec's error object (code 4).
export interface CniRequest { env: Record<string, string | undefined>; stdin: string }
export interface CniResponse { exitCode: number; stdout: string; stderr?: string }

export async function runCni(request: CniRequest): Promise<CniResponse> {
  if (request.env.CNI_COMMAND === 'VERSION') {
    return { exitCode: 0, stdout: JSON.stringify({ cniVersion: '1.1.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] }) };
  }
  const msg = `stand-in plugin: CNI_COMMAND ${JSON.stringify(request.env.CNI_COMMAND ?? '')} is not implemented`;
  return { exitCode: 1, stdout: JSON.stringify({ cniVersion: '1.1.0', code: 4, msg }) };
}
