// Top-level layout: the setup and run controls side by side, the WebGPU status, then the results of the
// experiment on screen and the experiments stored in this browser.
import { useEffect } from 'react';
import { builtinTasks } from '../data/registry';
import type { TaskDefinition } from '../data/task';
import { useExperimentStore } from '../store/experiment';
import { useGpuStore } from '../store/gpu';
import { AdapterImport } from './AdapterImport';
import { ExperimentHistory } from './ExperimentHistory';
import { KernelSmoke } from './KernelSmoke';
import { ModelPanel } from './ModelPanel';
import { ResultsPanel } from './ResultsPanel';
import { ResumeBanner } from './ResumeBanner';
import { RunControls } from './RunControls';
import { SetupPanel } from './SetupPanel';
import { WebGpuPanel } from './WebGpuPanel';

export function App({ tasks = builtinTasks }: { tasks?: readonly TaskDefinition[] }) {
  const status = useGpuStore((state) => state.status);
  const connect = useGpuStore((state) => state.connect);
  const setTasks = useExperimentStore((state) => state.setTasks);
  const init = useExperimentStore((state) => state.init);
  const flushStorage = useExperimentStore((state) => state.flushStorage);

  useEffect(() => {
    void connect();
  }, [connect]);

  useEffect(() => {
    setTasks(tasks);
  }, [tasks, setTasks]);

  useEffect(() => {
    void init();
  }, [init]);

  // Curve points wait up to a second before they are written, so write them when the page may be closing.
  useEffect(() => {
    const flush = () => void flushStorage();
    const flushWhenHidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', flushWhenHidden);
    return () => {
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', flushWhenHidden);
    };
  }, [flushStorage]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>MTLoRA Playground</h1>
        <p className="tagline">
          Fine-tune a small pretrained text encoder on your GPU, inside the browser, and compare LoRA with the four
          MTLoRA adapter structures.
        </p>
      </header>

      <ResumeBanner />

      <main className="app-main">
        <div className="workspace">
          <SetupPanel />
          <div className="side-column">
            <RunControls gpu={status} />
            <WebGpuPanel status={status} />
            {status.kind === 'ready' && <KernelSmoke engine={status.engine} />}
            <ModelPanel />
          </div>
        </div>
        <ResultsPanel />
        <AdapterImport />
        <ExperimentHistory />
      </main>
    </div>
  );
}
