// Top-level layout. The training and comparison views will be added next to the WebGPU status panel.
import { useEffect } from 'react';
import { useGpuStore } from '../store/gpu';
import { KernelSmoke } from './KernelSmoke';
import { WebGpuPanel } from './WebGpuPanel';

export function App() {
  const status = useGpuStore((state) => state.status);
  const connect = useGpuStore((state) => state.connect);

  useEffect(() => {
    void connect();
  }, [connect]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>MTLoRA Playground</h1>
        <p className="tagline">
          Fine-tune a small pretrained text encoder on your GPU, inside the browser, and compare LoRA with the four
          MTLoRA adapter structures.
        </p>
      </header>

      <main className="app-main">
        <WebGpuPanel status={status} />
        {status.kind === 'ready' && <KernelSmoke engine={status.engine} />}
      </main>
    </div>
  );
}
