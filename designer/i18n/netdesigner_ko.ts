<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko">
    <context>
        <name />
        <message>
            <source>&amp;New</source>
            <translation>새로 만들기(&amp;N)</translation>
        </message>
        <message>
            <source>Start an empty design</source>
            <translation>빈 설계로 시작합니다</translation>
        </message>
        <message>
            <source>&amp;Open…</source>
            <translation>열기(&amp;O)…</translation>
        </message>
        <message>
            <source>Open a design file</source>
            <translation>설계 파일을 엽니다</translation>
        </message>
        <message>
            <source>&amp;Save</source>
            <translation>저장(&amp;S)</translation>
        </message>
        <message>
            <source>Save the design</source>
            <translation>설계를 저장합니다</translation>
        </message>
        <message>
            <source>Save &amp;As…</source>
            <translation>다른 이름으로 저장(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>끝내기(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;Undo</source>
            <translation>실행 취소(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Redo</source>
            <translation>다시 실행(&amp;R)</translation>
        </message>
        <message>
            <source>Cu&amp;t</source>
            <translation>잘라내기(&amp;T)</translation>
        </message>
        <message>
            <source>&amp;Copy</source>
            <translation>복사(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Paste</source>
            <translation>붙여넣기(&amp;P)</translation>
        </message>
        <message>
            <source>D&amp;uplicate</source>
            <translation>복제(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Delete</source>
            <translation>삭제(&amp;D)</translation>
        </message>
        <message>
            <source>Delete the selected blocks and connections</source>
            <translation>선택한 블록과 연결을 삭제합니다</translation>
        </message>
        <message>
            <source>Select &amp;All</source>
            <translation>모두 선택(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Preferences…</source>
            <translation>환경 설정(&amp;P)…</translation>
        </message>
        <message>
            <source>Language and colour theme</source>
            <translation>언어와 색 테마</translation>
        </message>
        <message>
            <source>Zoom &amp;In</source>
            <translation>확대(&amp;I)</translation>
        </message>
        <message>
            <source>Zoom in (or use the mouse wheel)</source>
            <translation>확대합니다 (마우스 휠로도 됩니다)</translation>
        </message>
        <message>
            <source>Zoom &amp;Out</source>
            <translation>축소(&amp;O)</translation>
        </message>
        <message>
            <source>Zoom out</source>
            <translation>축소합니다</translation>
        </message>
        <message>
            <source>&amp;Actual Size</source>
            <translation>실제 크기(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Fit to View</source>
            <translation>화면에 맞추기(&amp;F)</translation>
        </message>
        <message>
            <source>Show the whole design</source>
            <translation>설계 전체를 보여 줍니다</translation>
        </message>
        <message>
            <source>Show &amp;Grid</source>
            <translation>격자 표시(&amp;G)</translation>
        </message>
        <message>
            <source>&amp;Snap to Grid</source>
            <translation>격자에 맞추기(&amp;S)</translation>
        </message>
        <message>
            <source>Auto &amp;Layout</source>
            <translation>자동 배치(&amp;L)</translation>
        </message>
        <message>
            <source>Arrange the blocks in layers, left to right</source>
            <translation>블록을 층별로 왼쪽에서 오른쪽으로 배치합니다</translation>
        </message>
        <message>
            <source>Model &amp;Summary…</source>
            <translation>모델 요약(&amp;S)…</translation>
        </message>
        <message>
            <source>Show &amp;Description</source>
            <translation>설명 보기(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;About NetDesigner</source>
            <translation>NetDesigner 정보(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Data…</source>
            <translation>데이터(&amp;D)…</translation>
        </message>
        <message>
            <source>Choose the data: a built-in set or a file, its columns, scaling and splits</source>
            <translation>데이터를 고릅니다: 내장 데이터셋이나 파일, 열, 스케일링, 분할</translation>
        </message>
        <message>
            <source>&amp;Export Trained Weights…</source>
            <translation>학습된 가중치 내보내기(&amp;E)…</translation>
        </message>
        <message>
            <source>Write the trained weights as .npz, .safetensors or .onnx</source>
            <translation>학습된 가중치를 .npz, .safetensors, .onnx 파일로 씁니다</translation>
        </message>
        <message>
            <source>&amp;Import Weights…</source>
            <translation>가중치 가져오기(&amp;I)…</translation>
        </message>
        <message>
            <source>Load matching weights from a .npz or .safetensors file; training starts from them</source>
            <translation>.npz나 .safetensors 파일에서 이름과 모양이 맞는 가중치를 읽습니다. 학습은 이 가중치에서 시작합니다</translation>
        </message>
        <message>
            <source>&amp;Forget Imported Weights</source>
            <translation>가져온 가중치 버리기(&amp;F)</translation>
        </message>
        <message>
            <source>Train from freshly initialised weights again</source>
            <translation>다시 새로 초기화한 가중치에서 학습합니다</translation>
        </message>
        <message>
            <source>&amp;Cross-validate…</source>
            <translation>교차 검증(&amp;C)…</translation>
        </message>
        <message>
            <source>k-fold cross-validation: train k fresh copies, report each fold and mean ± std</source>
            <translation>k-폴드 교차 검증: 새 복사본 k개를 학습하고 폴드별 결과와 평균 ± 표준편차를 보여 줍니다</translation>
        </message>
        <message>
            <source>&amp;Tune…</source>
            <translation>튜닝(&amp;T)…</translation>
        </message>
        <message>
            <source>Hyper-parameter search: a study tries values of the searched parameters</source>
            <translation>하이퍼파라미터 탐색: 스터디가 탐색 대상 파라미터의 값을 시험합니다</translation>
        </message>
        <message>
            <source>&amp;Light</source>
            <translation>밝게(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;Dark</source>
            <translation>어둡게(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>파일(&amp;F)</translation>
        </message>
        <message>
            <source>Open &amp;Recent</source>
            <translation>최근 파일 열기(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Examples</source>
            <translation>예제(&amp;E)</translation>
        </message>
        <message>
            <source>&amp;Edit</source>
            <translation>편집(&amp;E)</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>보기(&amp;V)</translation>
        </message>
        <message>
            <source>&amp;Theme</source>
            <translation>테마(&amp;T)</translation>
        </message>
        <message>
            <source>&amp;Panels</source>
            <translation>패널(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Design</source>
            <extracomment>bump when a default arrangement changes, so states saved by older versions are not restored docks that belong to designing (hidden in Train) the dashboard's docks in Train, column by column; tabs within a column, the first in front the canvas strip's share of the height in Train (it shows the whole design, small)</extracomment>
            <translation>설계(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>도움말(&amp;H)</translation>
        </message>
        <message>
            <source>Main</source>
            <translation>기본 도구</translation>
        </message>
        <message>
            <source>Release to connect {0} → {1}</source>
            <translation>놓으면 {0} → {1}을(를) 연결합니다</translation>
        </message>
        <message>
            <source>Reconnect {0}</source>
            <translation>{0} 다시 연결</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>예</translation>
        </message>
        <message>
            <source>no</source>
            <translation>아니요</translation>
        </message>
        <message>
            <source>Output {0} — drag to an input port to connect</source>
            <translation>출력 {0} — 입력 포트로 끌어서 연결합니다</translation>
        </message>
        <message>
            <source>Input port {0} — drag from an output port here; drag away to disconnect</source>
            <translation>입력 포트 {0} — 출력 포트에서 여기로 끌어 연결하고, 밖으로 끌어내면 연결을 끊습니다</translation>
        </message>
        <message>
            <source>❄ Frozen: its weights get no updates while training (right-click → Unfreeze).</source>
            <translation>❄ 동결됨: 학습하는 동안 가중치가 바뀌지 않습니다 (오른쪽 클릭 → 동결 해제).</translation>
        </message>
        <message>
            <source>→ shape unknown</source>
            <translation>→ 모양 알 수 없음</translation>
        </message>
        <message>
            <source>no weights</source>
            <translation>가중치 없음</translation>
        </message>
        <message>
            <source>params: ?</source>
            <translation>파라미터: ?</translation>
        </message>
        <message>
            <source>{0} params</source>
            <translation>파라미터 {0}개</translation>
        </message>
        <message>
            <source> ({0} fixed)</source>
            <translation> (고정 {0}개)</translation>
        </message>
        <message>
            <source>Add {0}</source>
            <translation>{0} 추가</translation>
        </message>
        <message>
            <source>Delete {0}</source>
            <translation>{0} 삭제</translation>
        </message>
        <message>
            <source>Connect {0} → {1}</source>
            <translation>{0} → {1} 연결</translation>
        </message>
        <message>
            <source>Disconnect {0} → {1}</source>
            <translation>{0} → {1} 연결 끊기</translation>
        </message>
        <message>
            <source>Change {0} of {1}</source>
            <translation>{1}의 {0} 변경</translation>
        </message>
        <message>
            <source>Rename {0}</source>
            <translation>{0} 이름 바꾸기</translation>
        </message>
        <message>
            <source>Move {0}</source>
            <translation>{0} 이동</translation>
        </message>
        <message>
            <source>Move {0} blocks</source>
            <translation>블록 {0}개 이동</translation>
        </message>
        <message>
            <source>Change {0}</source>
            <translation>{0} 변경</translation>
        </message>
        <message>
            <source>Loss</source>
            <translation>손실</translation>
        </message>
        <message>
            <source>Gradient Flow</source>
            <translation>기울기 흐름</translation>
        </message>
        <message>
            <source>Weights</source>
            <translation>가중치</translation>
        </message>
        <message>
            <source>Activations</source>
            <translation>활성화</translation>
        </message>
        <message>
            <source>Decision Boundary</source>
            <translation>결정 경계</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>결과</translation>
        </message>
        <message>
            <source>Training</source>
            <translation>학습</translation>
        </message>
        <message>
            <source>&amp;Run</source>
            <translation>실행(&amp;R)</translation>
        </message>
        <message>
            <source>Canvas &amp;Tint</source>
            <translation>캔버스 색 표시(&amp;T)</translation>
        </message>
        <message>
            <source>Dashboard &amp;Panels</source>
            <translation>대시보드 패널(&amp;P)</translation>
        </message>
        <message>
            <source>Close this panel (Run ▸ Dashboard Panels shows it again)</source>
            <translation>이 패널을 닫습니다 (실행 ▸ 대시보드 패널에서 다시 열 수 있습니다)</translation>
        </message>
        <message>
            <source>Unexpected error — {0}: {1}</source>
            <translation>예상하지 못한 오류 — {0}: {1}</translation>
        </message>
        <message>
            <source>NetDesigner</source>
            <translation>NetDesigner</translation>
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation>저장하지 않은 변경 사항</translation>
        </message>
        <message>
            <source>Save the changes to “{0}” before closing it?</source>
            <translation>닫기 전에 “{0}”의 변경 사항을 저장할까요?</translation>
        </message>
        <message>
            <source>Recover unsaved work?</source>
            <translation>저장하지 않은 작업을 복구할까요?</translation>
        </message>
        <message>
            <source>NetDesigner did not close properly last time. Unsaved work on “{0}” from {1} was kept.

Recover it?</source>
            <translation>지난번에 NetDesigner가 제대로 종료되지 않았습니다. {1}에 작업하던 “{0}”의 저장하지 않은 내용이 남아 있습니다.

복구할까요?</translation>
        </message>
        <message>
            <source>Cannot open design</source>
            <translation>설계를 열 수 없습니다</translation>
        </message>
        <message>
            <source>“{0}” could not be opened.</source>
            <translation>“{0}”을(를) 열 수 없습니다.</translation>
        </message>
        <message>
            <source>Delete {0} items</source>
            <translation>항목 {0}개 삭제</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>삭제</translation>
        </message>
        <message>
            <source>Cut</source>
            <translation>잘라내기</translation>
        </message>
        <message>
            <source>Paste</source>
            <translation>붙여넣기</translation>
        </message>
        <message>
            <source>Duplicate</source>
            <translation>복제</translation>
        </message>
        <message>
            <source>{0} {1} blocks</source>
            <translation>{0}: 블록 {1}개</translation>
        </message>
        <message>
            <source>Auto layout</source>
            <translation>자동 배치</translation>
        </message>
        <message>
            <source>Writing .safetensors</source>
            <translation>.safetensors 쓰기</translation>
        </message>
        <message>
            <source>ONNX export</source>
            <translation>ONNX 내보내기</translation>
        </message>
        <message>
            <source>There are no trained weights yet: train the design or import weights first.</source>
            <translation>아직 학습된 가중치가 없습니다. 먼저 설계를 학습하거나 가중치를 가져오세요.</translation>
        </message>
        <message>
            <source>Export</source>
            <translation>내보내기</translation>
        </message>
        <message>
            <source>Weights written to {0}</source>
            <translation>가중치를 {0}에 저장했습니다</translation>
        </message>
        <message>
            <source>warning: trained on a different structure</source>
            <translation>경고: 다른 구조에서 학습된 가중치입니다</translation>
        </message>
        <message>
            <source>Import weights</source>
            <translation>가중치 가져오기</translation>
        </message>
        <message>
            <source>Weights (*.npz *.safetensors)</source>
            <translation>가중치 (*.npz *.safetensors)</translation>
        </message>
        <message>
            <source>All files (*)</source>
            <translation>모든 파일 (*)</translation>
        </message>
        <message>
            <source>Cannot import the weights</source>
            <translation>가중치를 가져올 수 없습니다</translation>
        </message>
        <message>
            <source>Imported {0} weight(s) from {1}; training starts from them</source>
            <translation>{1}에서 가중치 {0}개를 가져왔습니다. 학습은 이 가중치에서 시작합니다</translation>
        </message>
        <message>
            <source>Label (optional)</source>
            <translation>레이블 (선택)</translation>
        </message>
        <message>
            <source>A name shown on the canvas instead of the id</source>
            <translation>캔버스에 id 대신 표시할 이름</translation>
        </message>
        <message>
            <source>Select a block on the canvas to edit its parameters.

Select several blocks of one type to edit them together.</source>
            <translation>캔버스에서 블록을 선택하면 파라미터를 편집할 수 있습니다.

같은 종류의 블록을 여러 개 선택하면 함께 편집됩니다.</translation>
        </message>
        <message>
            <source>{0} blocks</source>
            <translation>블록 {0}개</translation>
        </message>
        <message>
            <source>These blocks are of different types. Select blocks of one type to edit their parameters together.</source>
            <translation>종류가 다른 블록들입니다. 파라미터를 함께 편집하려면 같은 종류의 블록만 선택하세요.</translation>
        </message>
        <message>
            <source>id {0}</source>
            <translation>id {0}</translation>
        </message>
        <message>
            <source>output {0}</source>
            <translation>출력 {0}</translation>
        </message>
        <message>
            <source>{0} parameters</source>
            <translation>파라미터 {0}개</translation>
        </message>
        <message>
            <source>{0} × {1}</source>
            <translation>{0} × {1}</translation>
        </message>
        <message>
            <source>Edits apply to all {0} selected blocks</source>
            <translation>선택한 블록 {0}개 모두에 적용됩니다</translation>
        </message>
        <message>
            <source>Change {0} of {1} blocks</source>
            <translation>블록 {1}개의 {0} 변경</translation>
        </message>
        <message>
            <source>Convention</source>
            <translation>관례</translation>
        </message>
        <message>
            <source>expects a number</source>
            <translation>숫자를 입력해야 합니다</translation>
        </message>
        <message>
            <source>The selected blocks have different values; editing sets them all.</source>
            <translation>선택한 블록들의 값이 서로 다릅니다. 편집하면 모두 같은 값이 됩니다.</translation>
        </message>
        <message>
            <source>convention</source>
            <translation>관례</translation>
        </message>
        <message>
            <source>✓  No problems: the design is ready to train.</source>
            <translation>✓  문제 없음: 설계를 학습할 준비가 되었습니다.</translation>
        </message>
        <message>
            <source>warning: {0}</source>
            <translation>경고: {0}</translation>
        </message>
        <message>
            <source>Checking the data…</source>
            <translation>데이터를 확인하는 중…</translation>
        </message>
        <message>
            <source>Design</source>
            <translation>설계</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>이름</translation>
        </message>
        <message>
            <source>What this design shows (shown when it is opened)</source>
            <translation>이 설계가 보여 주는 것 (열 때 표시됩니다)</translation>
        </message>
        <message>
            <source>Data</source>
            <translation>데이터</translation>
        </message>
        <message>
            <source>Data set</source>
            <translation>데이터셋</translation>
        </message>
        <message>
            <source>Choose data file…</source>
            <translation>데이터 파일 선택…</translation>
        </message>
        <message>
            <source>A CSV file (features, then the target in the last column) or an NPZ file with arrays X and y</source>
            <translation>CSV 파일(특성 열들 다음 마지막 열에 타깃) 또는 배열 X와 y가 든 NPZ 파일</translation>
        </message>
        <message>
            <source>Data…</source>
            <translation>데이터…</translation>
        </message>
        <message>
            <source>Preview the data, choose its columns, scaling and splits</source>
            <translation>데이터를 미리 보고 열, 스케일링, 분할을 정합니다</translation>
        </message>
        <message>
            <source>Optimizer</source>
            <translation>옵티마이저</translation>
        </message>
        <message>
            <source>Learning-rate schedule</source>
            <translation>학습률 스케줄</translation>
        </message>
        <message>
            <source>Starts from the optimizer's rate.</source>
            <translation>옵티마이저의 학습률에서 시작합니다.</translation>
        </message>
        <message>
            <source>Metrics</source>
            <translation>지표</translation>
        </message>
        <message>
            <source>classification</source>
            <translation>분류</translation>
        </message>
        <message>
            <source>regression</source>
            <translation>회귀</translation>
        </message>
        <message>
            <source>Early stopping</source>
            <translation>조기 종료</translation>
        </message>
        <message>
            <source>Checkpoint</source>
            <translation>체크포인트</translation>
        </message>
        <message>
            <source>Set {0}</source>
            <translation>{0} 설정</translation>
        </message>
        <message>
            <source>Set {0} to {1}</source>
            <translation>{0}을(를) {1}(으)로 설정</translation>
        </message>
        <message>
            <source>Set {0} {1}</source>
            <translation>{0} {1} 설정</translation>
        </message>
        <message>
            <source>Set metrics</source>
            <translation>지표 설정</translation>
        </message>
        <message>
            <source>Set data {0}</source>
            <translation>데이터 {0} 설정</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 파일 (*.csv)</translation>
        </message>
        <message>
            <source>NumPy archives (*.npz)</source>
            <translation>NumPy 아카이브 (*.npz)</translation>
        </message>
        <message>
            <source>Choose data file</source>
            <translation>데이터 파일 선택</translation>
        </message>
        <message>
            <source>Edit {0}</source>
            <translation>{0} 편집</translation>
        </message>
        <message>
            <source>A description holds at most {0:,} characters; {1:,} were left out.</source>
            <translation>설명에는 최대 {0:,}자까지 담을 수 있습니다. {1:,}자는 들어가지 않았습니다.</translation>
        </message>
        <message>
            <source>Drag an Input block here from the Blocks palette to start</source>
            <translation>블록 팔레트에서 Input 블록을 여기로 끌어 와서 시작하세요</translation>
        </message>
        <message>
            <source>or open an example: File → Examples</source>
            <translation>또는 예제를 여세요: 파일 → 예제</translation>
        </message>
        <message>
            <source>Design workspace: canvas, blocks, inspector (Ctrl+1)</source>
            <translation>설계 작업 공간: 캔버스, 블록, 블록 정보 (Ctrl+1)</translation>
        </message>
        <message>
            <source>&amp;Train</source>
            <translation>학습(&amp;T)</translation>
        </message>
        <message>
            <source>Training workspace: the dashboard's panels get the room (Ctrl+2)</source>
            <translation>학습 작업 공간: 대시보드 패널을 크게 보여 줍니다 (Ctrl+2)</translation>
        </message>
        <message>
            <source>Workspace</source>
            <translation>작업 공간</translation>
        </message>
        <message>
            <source>Preferences</source>
            <translation>환경 설정</translation>
        </message>
        <message>
            <source>System default ({0})</source>
            <translation>시스템 기본값 ({0})</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>언어</translation>
        </message>
        <message>
            <source>Light</source>
            <translation>밝게</translation>
        </message>
        <message>
            <source>Dark</source>
            <translation>어둡게</translation>
        </message>
        <message>
            <source>Theme</source>
            <translation>테마</translation>
        </message>
        <message>
            <source>Changes apply at once; the open design stays as it is.</source>
            <translation>바로 적용되며, 열려 있는 설계는 그대로 유지됩니다.</translation>
        </message>
        <message>
            <source>Apply trial values</source>
            <translation>시행 값 적용</translation>
        </message>
        <message>
            <source>Search {0}</source>
            <translation>{0} 탐색</translation>
        </message>
        <message>
            <source>Change search of {0}</source>
            <translation>{0}의 탐색 범위 변경</translation>
        </message>
        <message>
            <source>Stop searching {0}</source>
            <translation>{0} 탐색 중지</translation>
        </message>
        <message>
            <source>Search This…</source>
            <translation>이 값 탐색…</translation>
        </message>
        <message>
            <source>Edit Search…</source>
            <translation>탐색 범위 편집…</translation>
        </message>
        <message>
            <source>Let a hyper-parameter study (Run → Tune…) try values of this parameter</source>
            <translation>하이퍼파라미터 스터디(실행 → 튜닝…)가 이 파라미터의 값을 시험하게 합니다</translation>
        </message>
        <message>
            <source>Stop Searching</source>
            <translation>탐색 중지</translation>
        </message>
        <message>
            <source>Searched: {0}</source>
            <translation>탐색 대상: {0}</translation>
        </message>
    </context>
    <context>
        <name>ActivationsPanel</name>
        <message>
            <source>Dead ReLU and saturated sigmoid/tanh fractions per layer</source>
            <translation>층별 죽은 ReLU 비율과 포화된 시그모이드/tanh 비율</translation>
        </message>
        <message>
            <source>Dead ReLU (≤ 0)</source>
            <translation>죽은 ReLU (≤ 0)</translation>
        </message>
        <message>
            <source>Saturated σ, tanh</source>
            <translation>포화된 σ, tanh</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>This design has no ReLU, sigmoid or tanh layers.</source>
            <translation>이 설계에는 ReLU, 시그모이드, tanh 층이 없습니다.</translation>
        </message>
    </context>
    <context>
        <name>BoundaryPanel</name>
        <message>
            <source>Network output over the input plane, with the training points</source>
            <translation>입력 평면 위 네트워크 출력과 학습 데이터 점</translation>
        </message>
        <message>
            <source>Decision boundary</source>
            <translation>결정 경계</translation>
        </message>
        <message>
            <source>The decision boundary is drawn for designs with one or two inputs; this one has {0}.</source>
            <translation>결정 경계는 입력이 하나나 둘인 설계에서만 그립니다. 이 설계의 입력은 {0}개입니다.</translation>
        </message>
        <message>
            <source>Network output</source>
            <translation>네트워크 출력</translation>
        </message>
    </context>
    <context>
        <name>CompareWindow</name>
        <message>
            <source>Compare Runs</source>
            <translation>실행 비교</translation>
        </message>
        <message>
            <source>Curve:</source>
            <translation>곡선:</translation>
        </message>
        <message>
            <source>loss per batch</source>
            <translation>배치별 손실</translation>
        </message>
        <message>
            <source>linear scale</source>
            <translation>선형 눈금</translation>
        </message>
        <message>
            <source>log scale</source>
            <translation>로그 눈금</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>Curves</source>
            <translation>곡선</translation>
        </message>
        <message>
            <source>step</source>
            <translation>단계</translation>
        </message>
        <message>
            <source>Gradient flow: gradient norm per layer (log scale, the same for every run), input at the bottom —</source>
            <translation>기울기 흐름: 층별 기울기 크기(로그 눈금, 모든 실행에 같은 눈금), 입력은 아래쪽 —</translation>
        </message>
        <message>
            <source>at the start of training</source>
            <translation>학습 시작 때</translation>
        </message>
        <message>
            <source>median over the run</source>
            <translation>실행 동안의 중앙값</translation>
        </message>
        <message>
            <source>at the end of training</source>
            <translation>학습 끝날 때</translation>
        </message>
        <message>
            <source>layer</source>
            <translation>층</translation>
        </message>
        <message>
            <source>{0}: ‖grad‖ median</source>
            <translation>{0}: ‖기울기‖ 중앙값</translation>
        </message>
        <message>
            <source>{0}: weight mean</source>
            <translation>{0}: 가중치 평균</translation>
        </message>
        <message>
            <source>{0}: weight std</source>
            <translation>{0}: 가중치 표준편차</translation>
        </message>
        <message>
            <source>Layers</source>
            <translation>층</translation>
        </message>
        <message>
            <source>block</source>
            <translation>블록</translation>
        </message>
        <message>
            <source>parameter</source>
            <translation>파라미터</translation>
        </message>
        <message>
            <source>connection</source>
            <translation>연결</translation>
        </message>
        <message>
            <source>setting</source>
            <translation>설정</translation>
        </message>
        <message>
            <source>what</source>
            <translation>무엇</translation>
        </message>
        <message>
            <source>where</source>
            <translation>어디</translation>
        </message>
        <message>
            <source>Nothing differs: the runs trained the same design with the same settings.</source>
            <translation>다른 점이 없습니다: 두 실행은 같은 설계를 같은 설정으로 학습했습니다.</translation>
        </message>
        <message>
            <source>Differences from the first run: {0}</source>
            <translation>첫 번째 실행과 다른 점: {0}개</translation>
        </message>
        <message>
            <source>Differences ({0})</source>
            <translation>다른 점 ({0})</translation>
        </message>
        <message>
            <source>ended</source>
            <translation>종료</translation>
        </message>
        <message>
            <source>epochs</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>claim</source>
            <translation>주장</translation>
        </message>
        <message>
            <source>measured</source>
            <translation>측정값</translation>
        </message>
        <message>
            <source>why</source>
            <translation>이유</translation>
        </message>
        <message>
            <source>holds</source>
            <translation>성립</translation>
        </message>
        <message>
            <source>does not hold</source>
            <translation>성립하지 않음</translation>
        </message>
        <message>
            <source>What the experiment claims, checked on these runs:</source>
            <translation>이 실험이 주장하는 것, 이 실행들에서 확인한 결과:</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>결과</translation>
        </message>
    </context>
    <context>
        <name>CoreMessages</name>
        <message>
            <source>the design has no Input node</source>
            <translation>설계에 Input 노드가 없습니다</translation>
        </message>
        <message>
            <source>input port {port} is not connected</source>
            <translation>입력 포트 {port}이(가) 연결되지 않았습니다</translation>
        </message>
        <message>
            <source>input port {port} is connected twice to {source}</source>
            <translation>입력 포트 {port}이(가) {source}에 두 번 연결되었습니다</translation>
        </message>
        <message>
            <source>input port {port} is already connected to {source}</source>
            <translation>입력 포트 {port}은(는) 이미 {source}에 연결되어 있습니다</translation>
        </message>
        <message>
            <source>output is not connected to anything (the design needs exactly one output)</source>
            <translation>출력이 아무 데도 연결되지 않았습니다 (설계에는 출력이 정확히 하나 있어야 합니다)</translation>
        </message>
        <message>
            <source>the design needs exactly one output (a node feeding nothing); found {count}: {nodes}</source>
            <translation>설계에는 출력(어디에도 연결되지 않은 노드)이 정확히 하나 있어야 합니다. {count}개 있습니다: {nodes}</translation>
        </message>
        <message>
            <source>has no input port {port} (it has {count})</source>
            <translation>입력 포트 {port}이(가) 없습니다 (입력 포트는 {count}개입니다)</translation>
        </message>
        <message>
            <source>connecting from {source} would create a cycle</source>
            <translation>{source}에서 연결하면 순환이 생깁니다</translation>
        </message>
        <message>
            <source>a node with this id already exists</source>
            <translation>같은 id의 노드가 이미 있습니다</translation>
        </message>
        <message>
            <source>unknown block type {type}</source>
            <translation>알 수 없는 블록 종류 {type}</translation>
        </message>
        <message>
            <source>{block} expects a flat input (features,). Received shape {shape}; insert a Flatten block before it.</source>
            <translation>{block}은(는) 평탄한 입력 (특성,)이 필요합니다. 받은 모양: {shape}. 앞에 Flatten 블록을 넣으세요.</translation>
        </message>
        <message>
            <source>Add expects inputs of one shape. Received {first} on port 0 and {other} on port {port}</source>
            <translation>Add의 입력은 모양이 모두 같아야 합니다. 포트 0에 {first}, 포트 {port}에 {other}이(가) 들어왔습니다</translation>
        </message>
        <message>
            <source>RReLU expects lower &lt;= upper. Received lower={lower}, upper={upper}</source>
            <translation>RReLU는 하한 &lt;= 상한이어야 합니다. 받은 값: lower={lower}, upper={upper}</translation>
        </message>
        <message>
            <source>{block}expects an integer `{name}`. Received: {value}</source>
            <translation>{block}`{name}`에는 정수가 필요합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}expects a number `{name}`. Received: {value}</source>
            <translation>{block}`{name}`에는 숫자가 필요합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}expects a finite number `{name}`. Received: {value}</source>
            <translation>{block}`{name}`에는 유한한 숫자가 필요합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}expects true or false for `{name}`. Received: {value}</source>
            <translation>{block}`{name}`에는 참 또는 거짓이 필요합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}expects `{name}` {op} {bound}. Received: {value}</source>
            <translation>{block}`{name}`은(는) {op} {bound}이어야 합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}expects `{name}` &lt;= {bound}. Received: {value}</source>
            <translation>{block}`{name}`은(는) &lt;= {bound}이어야 합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}`{name}` must be one of {options}. Received: {value}</source>
            <translation>{block}`{name}`은(는) {options} 중 하나여야 합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>{block}expects `{name}` as a list of positive integers. Received: {value}</source>
            <translation>{block}`{name}`에는 양의 정수 목록이 필요합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>Trained {epochs} epochs.</source>
            <translation>{epochs} 에포크 학습을 마쳤습니다.</translation>
        </message>
        <message>
            <source>Stopped by request during epoch {epoch}.</source>
            <translation>요청에 따라 에포크 {epoch} 도중에 멈췄습니다.</translation>
        </message>
        <message>
            <source>Early stopping: {monitor} did not improve for {wait} epoch(s); best {best} at epoch {epoch} (weights restored from epoch {restored}, the best)</source>
            <translation>조기 종료: {monitor}이(가) {wait} 에포크 동안 나아지지 않았습니다. 최고 {best} (에포크 {epoch}). 가장 좋았던 에포크 {restored}의 가중치로 되돌렸습니다.</translation>
        </message>
        <message>
            <source>Early stopping: {monitor} did not improve for {wait} epoch(s); best {best} at epoch {epoch}</source>
            <translation>조기 종료: {monitor}이(가) {wait} 에포크 동안 나아지지 않았습니다. 최고 {best} (에포크 {epoch}).</translation>
        </message>
        <message>
            <source>Training diverged at epoch {epoch}, batch {batch}: the loss, a gradient or the update became NaN or infinite (learning rate {lr}). Stopped before that update: the weights are those after the last good batch. Try a smaller learning rate or gradient clipping.</source>
            <translation>에포크 {epoch}, 배치 {batch}에서 학습이 발산했습니다: 손실, 기울기 또는 업데이트 값이 NaN이나 무한대가 되었습니다 (학습률 {lr}). 그 업데이트 직전에 멈췄으므로 가중치는 마지막으로 정상이던 배치 뒤의 값입니다. 학습률을 낮추거나 기울기 클리핑을 써 보세요.</translation>
        </message>
        <message>
            <source>Training diverged at epoch {epoch}, batch {batch}: the loss, a gradient or the update became NaN or infinite (learning rate {lr}). Stopped before that update: the weights are the initial ones. Try a smaller learning rate or gradient clipping.</source>
            <translation>에포크 {epoch}, 배치 {batch}에서 학습이 발산했습니다: 손실, 기울기 또는 업데이트 값이 NaN이나 무한대가 되었습니다 (학습률 {lr}). 그 업데이트 직전에 멈췄으므로 가중치는 초깃값 그대로입니다. 학습률을 낮추거나 기울기 클리핑을 써 보세요.</translation>
        </message>
        <message>
            <source>file not found</source>
            <translation>파일을 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>is a folder, not a file</source>
            <translation>파일이 아니라 폴더입니다</translation>
        </message>
        <message>
            <source>is a folder, not a design file</source>
            <translation>설계 파일이 아니라 폴더입니다</translation>
        </message>
        <message>
            <source>is {kind}, not a regular file; it is not read</source>
            <translation>일반 파일이 아니므로({kind}) 읽지 않습니다</translation>
        </message>
        <message>
            <source>is {kind}, not a design file</source>
            <translation>설계 파일이 아닙니다({kind})</translation>
        </message>
        <message>
            <source>cannot read the file (No such file or directory)</source>
            <translation>파일을 찾을 수 없습니다</translation>
        </message>
        <message>
            <source>cannot read the file (Permission denied)</source>
            <translation>파일을 읽을 권한이 없습니다</translation>
        </message>
        <message>
            <source>cannot read the file ({detail})</source>
            <translation>파일을 읽을 수 없습니다({detail})</translation>
        </message>
        <message>
            <source>is {size}; a design file may be at most {limit}</source>
            <translation>크기가 {size}입니다. 설계 파일은 최대 {limit}까지 허용됩니다</translation>
        </message>
        <message>
            <source>is larger than {limit}, the most a design file may be</source>
            <translation>설계 파일의 최대 크기인 {limit}보다 큽니다</translation>
        </message>
        <message>
            <source>not a text file (expected UTF-8 JSON)</source>
            <translation>텍스트 파일이 아닙니다(UTF-8 JSON이어야 합니다)</translation>
        </message>
        <message>
            <source>not valid JSON: {detail} (line {line}, column {column})</source>
            <translation>올바른 JSON이 아닙니다: {detail} ({line}번째 줄, {column}번째 글자)</translation>
        </message>
        <message>
            <source>not a NetDesigner design (format is {found}, expected {expected})</source>
            <translation>NetDesigner 설계가 아닙니다(format이 {found}입니다. {expected}이어야 합니다)</translation>
        </message>
        <message>
            <source>expected a positive integer version, received {value}</source>
            <translation>version은 양의 정수여야 합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>this design was saved by a newer NetDesigner (format version {version}; this one reads up to {latest})</source>
            <translation>더 새로운 NetDesigner로 저장된 설계입니다(형식 버전 {version}. 이 버전은 {latest}까지 읽을 수 있습니다)</translation>
        </message>
        <message>
            <source>unknown key {key}</source>
            <translation>알 수 없는 키 {key}</translation>
        </message>
        <message>
            <source>expected text</source>
            <translation>텍스트여야 합니다</translation>
        </message>
        <message>
            <source>expected a list, received {type}</source>
            <translation>목록이어야 합니다. 받은 값의 형식: {type}</translation>
        </message>
        <message>
            <source>expected an object, received {value}</source>
            <translation>객체여야 합니다. 받은 값: {value}</translation>
        </message>
        <message>
            <source>missing parameter {name} of {type}</source>
            <translation>{type}의 파라미터 {name}이(가) 없습니다</translation>
        </message>
        <message>
            <source>duplicate node id {id}</source>
            <translation>노드 id {id}이(가) 중복됩니다</translation>
        </message>
        <message>
            <source>dangling edge: no node {id}</source>
            <translation>끊어진 연결: 노드 {id}이(가) 없습니다</translation>
        </message>
        <message>
            <source>the file is empty</source>
            <translation>파일이 비어 있습니다</translation>
        </message>
        <message>
            <source>holds NUL bytes; not a text (CSV) file</source>
            <translation>NUL 바이트가 들어 있습니다. 텍스트(CSV) 파일이 아닙니다</translation>
        </message>
        <message>
            <source>not a {encoding} text file; choose its encoding in the data options (e.g. cp1252 for Windows files)</source>
            <translation>{encoding} 텍스트 파일이 아닙니다. 데이터 옵션에서 파일의 인코딩을 선택하세요(예: Windows 파일은 cp1252)</translation>
        </message>
        <message>
            <source>not a {encoding} text file; choose the file's encoding in the data options</source>
            <translation>{encoding} 텍스트 파일이 아닙니다. 데이터 옵션에서 파일의 인코딩을 선택하세요</translation>
        </message>
        <message>
            <source>unknown encoding {encoding}; e.g. utf-8, cp1252, latin-1, utf-16</source>
            <translation>알 수 없는 인코딩 {encoding}입니다. 예: utf-8, cp1252, latin-1, utf-16</translation>
        </message>
        <message>
            <source>{value} is not a number (only the ASCII digits 0-9 are read as numbers)</source>
            <translation>{value}은(는) 숫자가 아닙니다(ASCII 숫자 0-9만 숫자로 읽습니다)</translation>
        </message>
        <message>
            <source>{value} is not a number (digit separators such as '_' are not read; write 1000, not 1_000)</source>
            <translation>{value}은(는) 숫자가 아닙니다('_' 같은 자릿수 구분 기호는 읽지 않습니다. 1_000 대신 1000으로 쓰세요)</translation>
        </message>
        <message>
            <source>{value} is not a number (the decimal mark is set to ','; a '.' is not read, not even as a thousands separator)</source>
            <translation>{value}은(는) 숫자가 아닙니다(소수점이 ','로 설정되어 있습니다. '.'은 천 단위 구분 기호로도 읽지 않습니다)</translation>
        </message>
        <message>
            <source>{value} is not a number (a decimal comma? choose decimal ',' in the data options)</source>
            <translation>{value}은(는) 숫자가 아닙니다(소수점이 쉼표인가요? 데이터 옵션에서 소수점 ','를 선택하세요)</translation>
        </message>
        <message>
            <source>{value} is not a number (a feature must be numeric; leave this column out of the features or make it the target)</source>
            <translation>{value}은(는) 숫자가 아닙니다(특성은 숫자여야 합니다. 이 열을 특성에서 빼거나 타깃으로 지정하세요)</translation>
        </message>
        <message>
            <source>{value} is not a finite number</source>
            <translation>{value}은(는) 유한한 숫자가 아닙니다</translation>
        </message>
        <message>
            <source>{value} is beyond float32's range (±{limit}); training would overflow. Rescale the column (e.g. log or smaller units) before loading</source>
            <translation>{value}은(는) float32의 범위(±{limit})를 벗어납니다. 학습 중 오버플로가 일어납니다. 불러오기 전에 열의 스케일을 바꾸세요(예: 로그 또는 더 작은 단위)</translation>
        </message>
        <message>
            <source>missing value; choose missing='drop' to leave such rows out or missing='mean' to fill in the column mean</source>
            <translation>값이 비어 있습니다. 그런 행을 빼려면 missing='drop'을, 열의 평균으로 채우려면 missing='mean'을 선택하세요</translation>
        </message>
        <message>
            <source>the target is missing; choose missing='drop' to leave such rows out</source>
            <translation>타깃이 비어 있습니다. 그런 행을 빼려면 missing='drop'을 선택하세요</translation>
        </message>
        <message>
            <source>the target is missing (a target is never imputed; use missing='drop')</source>
            <translation>타깃이 비어 있습니다(타깃은 채워 넣지 않습니다. missing='drop'을 사용하세요)</translation>
        </message>
        <message>
            <source>every value is missing; there is no mean to fill in</source>
            <translation>모든 값이 비어 있어 채워 넣을 평균이 없습니다</translation>
        </message>
        <message>
            <source>{count} fields where the header has {expected} (delimiter {delimiter}) — a ragged row</source>
            <translation>헤더는 필드가 {expected}개인데 이 행은 {count}개입니다(구분자 {delimiter}) — 길이가 맞지 않는 행</translation>
        </message>
        <message>
            <source>{count} fields where the first row has {expected} (delimiter {delimiter}) — a ragged row</source>
            <translation>첫 행은 필드가 {expected}개인데 이 행은 {count}개입니다(구분자 {delimiter}) — 길이가 맞지 않는 행</translation>
        </message>
        <message>
            <source>no column named {name} for the target; columns: {columns}</source>
            <translation>타깃으로 쓸 {name} 열이 없습니다. 열: {columns}</translation>
        </message>
        <message>
            <source>no column named {name} for the feature; columns: {columns}</source>
            <translation>특성으로 쓸 {name} 열이 없습니다. 열: {columns}</translation>
        </message>
        <message>
            <source>no data rows</source>
            <translation>데이터 행이 없습니다</translation>
        </message>
        <message>
            <source>no data rows ({count} rows dropped for missing values)</source>
            <translation>데이터 행이 없습니다(빈 값 때문에 {count}개 행을 뺐습니다)</translation>
        </message>
        <message>
            <source>no target column chosen</source>
            <translation>타깃 열을 선택하지 않았습니다</translation>
        </message>
        <message>
            <source>no feature columns (the file has {count} column(s))</source>
            <translation>특성 열이 없습니다(파일의 열은 {count}개입니다)</translation>
        </message>
        <message>
            <source>holds Python objects (pickled data), which are never loaded; save plain numeric arrays</source>
            <translation>Python 객체(pickle 데이터)가 들어 있어 불러오지 않습니다. 일반 숫자 배열로 저장하세요</translation>
        </message>
        <message>
            <source>not a readable NumPy file ({detail})</source>
            <translation>읽을 수 있는 NumPy 파일이 아닙니다({detail})</translation>
        </message>
        <message>
            <source>no samples</source>
            <translation>샘플이 없습니다</translation>
        </message>
        <message>
            <source>the weights do not fit this design</source>
            <translation>가중치가 이 설계에 맞지 않습니다</translation>
        </message>
        <message>
            <source>missing {name} {shape}</source>
            <translation>{name} {shape} 없음</translation>
        </message>
        <message>
            <source>{name}: file has shape {found}, design needs {needed}</source>
            <translation>{name}: 파일의 모양은 {found}, 설계에 필요한 모양은 {needed}</translation>
        </message>
        <message>
            <source>unexpected {name} {shape}</source>
            <translation>예상하지 않은 {name} {shape}</translation>
        </message>
        <message>
            <source>is a single .npy array, not a .npz archive (rename it to .npy, or save with numpy.savez)</source>
            <translation>.npz 아카이브가 아니라 .npy 배열 하나입니다(이름을 .npy로 바꾸거나 numpy.savez로 저장하세요)</translation>
        </message>
        <message>
            <source>not a .npz archive (it is not a zip file)</source>
            <translation>.npz 아카이브가 아닙니다(zip 파일이 아닙니다)</translation>
        </message>
        <message>
            <source>not a readable .npz archive ({detail})</source>
            <translation>읽을 수 있는 .npz 아카이브가 아닙니다({detail})</translation>
        </message>
        <message>
            <source>entry {name} would expand from {packed} to {size} bytes (over {ratio}×): refused as a zip bomb</source>
            <translation>항목 {name}이(가) {packed}바이트에서 {size}바이트로({ratio}배 넘게) 늘어납니다: zip 폭탄으로 보고 거부했습니다</translation>
        </message>
        <message>
            <source>{name} holds {dtype} values, expected floating point</source>
            <translation>{name}에 {dtype} 값이 들어 있습니다. 부동소수점이어야 합니다</translation>
        </message>
        <message>
            <source>the metadata entry is not valid JSON</source>
            <translation>메타데이터 항목이 올바른 JSON이 아닙니다</translation>
        </message>
        <message>
            <source>the metadata entry is not a JSON object</source>
            <translation>메타데이터 항목이 JSON 객체가 아닙니다</translation>
        </message>
        <message>
            <source>metadata field {field}: {inner}</source>
            <translation>메타데이터 필드 {field}: {inner}</translation>
        </message>
        <message>
            <source>ONNX files are an export format only; import .npz or .safetensors weights</source>
            <translation>ONNX 파일은 내보내기 전용 형식입니다. .npz 또는 .safetensors 가중치를 가져오세요</translation>
        </message>
        <message>
            <source>cannot tell the format from the extension {ext}; use .npz, .safetensors, .onnx or .py (or give the format)</source>
            <translation>확장자 {ext}로는 형식을 알 수 없습니다. .npz, .safetensors, .onnx 또는 .py를 쓰세요(또는 형식을 지정하세요)</translation>
        </message>
        <message>
            <source>the data cannot be loaded: {inner}</source>
            <translation>데이터를 불러올 수 없습니다: {inner}</translation>
        </message>
        <message>
            <source>file {file}, at {path}</source>
            <translation>파일 {file}, 위치 {path}</translation>
        </message>
        <message>
            <source>file {file}</source>
            <translation>파일 {file}</translation>
        </message>
        <message>
            <source>at {path}</source>
            <translation>위치 {path}</translation>
        </message>
        <message>
            <source>{file}, row {row}, column {column}{index}</source>
            <translation>{file}, {row}행, 열 {column}{index}</translation>
        </message>
        <message>
            <source>{file}, row {row}{index}</source>
            <translation>{file}, {row}행{index}</translation>
        </message>
        <message>
            <source>{file}, column {column}</source>
            <translation>{file}, 열 {column}</translation>
        </message>
        <message>
            <source>Node {name}: {reason}</source>
            <translation>노드 {name}: {reason}</translation>
        </message>
    </context>
    <context>
        <name>CoreText</name>
        <message>
            <source>Input/Output</source>
            <translation>입력/출력</translation>
        </message>
        <message>
            <source>Layers</source>
            <translation>층</translation>
        </message>
        <message>
            <source>Activations</source>
            <translation>활성화</translation>
        </message>
        <message>
            <source>Normalization</source>
            <translation>정규화</translation>
        </message>
        <message>
            <source>Regularization</source>
            <translation>규제</translation>
        </message>
        <message>
            <source>Merge</source>
            <translation>병합</translation>
        </message>
        <message>
            <source>Convolution</source>
            <translation>합성곱</translation>
        </message>
        <message>
            <source>Recurrent</source>
            <translation>순환</translation>
        </message>
        <message>
            <source>Mean squared error: mean((y − ŷ)²).</source>
            <translation>평균 제곱 오차: mean((y − ŷ)²).</translation>
        </message>
        <message>
            <source>Mean absolute error: mean(|y − ŷ|); robust to outliers.</source>
            <translation>평균 절대 오차: mean(|y − ŷ|). 이상치에 강합니다.</translation>
        </message>
        <message>
            <source>Quadratic for small errors, linear for large ones.</source>
            <translation>작은 오차에는 제곱, 큰 오차에는 선형으로 커집니다.</translation>
        </message>
        <message>
            <source>For one sigmoid output (or a raw score with from_logits) and 0/1 targets.</source>
            <translation>시그모이드 출력 하나(또는 from_logits를 켠 원시 점수)와 0/1 타깃에 씁니다.</translation>
        </message>
        <message>
            <source>For a softmax output and one-hot targets.</source>
            <translation>소프트맥스 출력과 원-핫 타깃에 씁니다.</translation>
        </message>
        <message>
            <source>For a softmax output and integer class labels.</source>
            <translation>소프트맥스 출력과 정수 클래스 레이블에 씁니다.</translation>
        </message>
        <message>
            <source>Stochastic gradient descent, optionally with (Nesterov) momentum.</source>
            <translation>확률적 경사 하강법(SGD). (네스테로프) 모멘텀을 더할 수 있습니다.</translation>
        </message>
        <message>
            <source>Adaptive moments (Kingma &amp; Ba 2015): a good default.</source>
            <translation>적응적 모멘트 추정(Kingma &amp; Ba 2015): 무난한 기본 선택입니다.</translation>
        </message>
        <message>
            <source>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019).</source>
            <translation>가중치 감쇠를 분리한 Adam (Loshchilov &amp; Hutter 2019).</translation>
        </message>
        <message>
            <source>Divides each step by a running RMS of recent gradients (Hinton's lecture 6e).</source>
            <translation>각 스텝을 최근 기울기의 이동 RMS로 나눕니다 (Hinton 강의 6e).</translation>
        </message>
        <message>
            <source>Per-weight step sizes that shrink with the sum of past squared gradients.</source>
            <translation>가중치마다 스텝 크기가 다르며, 지난 기울기 제곱의 합이 커질수록 줄어듭니다.</translation>
        </message>
        <message>
            <source>lr(step) = learning_rate.</source>
            <translation>lr(step) = learning_rate (일정한 학습률).</translation>
        </message>
        <message>
            <source>lr(step) = initial_learning_rate · decay_rate^(step / decay_steps) (Keras ``ExponentialDecay``).</source>
            <translation>lr(step) = initial_learning_rate · decay_rate^(step / decay_steps) (Keras ``ExponentialDecay``, 지수 감소).</translation>
        </message>
        <message>
            <source>lr(step) = initial_learning_rate · gamma^floor(step / step_size) (PyTorch ``StepLR``, in updates).</source>
            <translation>lr(step) = initial_learning_rate · gamma^floor(step / step_size) (PyTorch ``StepLR``, 업데이트 단위).</translation>
        </message>
        <message>
            <source>Linear warm-up, then half a cosine from initial_learning_rate down to alpha · initial_learning_rate.</source>
            <translation>선형 웜업 후, 코사인 반주기를 따라 initial_learning_rate에서 alpha · initial_learning_rate까지 내려갑니다.</translation>
        </message>
        <message>
            <source>Multiply the rate by `factor` when a monitored value stops improving (Keras ``ReduceLROnPlateau``).</source>
            <translation>모니터링하는 값이 더 나아지지 않으면 학습률에 `factor`를 곱합니다 (Keras ``ReduceLROnPlateau``).</translation>
        </message>
        <message>
            <source>Shape</source>
            <translation>모양</translation>
        </message>
        <message>
            <source>Shape of one sample, e.g. [64] or [8, 8].</source>
            <translation>샘플 하나의 모양. 예: [64] 또는 [8, 8].</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>유닛 수</translation>
        </message>
        <message>
            <source>Number of output units.</source>
            <translation>출력 유닛의 개수.</translation>
        </message>
        <message>
            <source>Use bias</source>
            <translation>편향 사용</translation>
        </message>
        <message>
            <source>Add a learned bias to each unit.</source>
            <translation>각 유닛에 학습되는 편향을 더합니다.</translation>
        </message>
        <message>
            <source>Kernel initializer</source>
            <translation>커널 초기화</translation>
        </message>
        <message>
            <source>How the kernel weights start. Glorot suits tanh/sigmoid, He suits ReLU.</source>
            <translation>커널 가중치의 초깃값. Glorot는 tanh/시그모이드에, He는 ReLU에 맞습니다.</translation>
        </message>
        <message>
            <source>Bias initializer</source>
            <translation>편향 초기화</translation>
        </message>
        <message>
            <source>How the bias weights start. Glorot suits tanh/sigmoid, He suits ReLU.</source>
            <translation>편향 가중치의 초깃값. Glorot는 tanh/시그모이드에, He는 ReLU에 맞습니다.</translation>
        </message>
        <message>
            <source>L1</source>
            <translation>L1</translation>
        </message>
        <message>
            <source>L1 penalty l1·Σ|w| on the kernel (Keras).</source>
            <translation>커널에 L1 페널티 l1·Σ|w|를 더합니다 (Keras).</translation>
        </message>
        <message>
            <source>L2</source>
            <translation>L2</translation>
        </message>
        <message>
            <source>L2 penalty l2·Σw² on the kernel (Keras).</source>
            <translation>커널에 L2 페널티 l2·Σw²를 더합니다 (Keras).</translation>
        </message>
        <message>
            <source>Trainable</source>
            <translation>학습 가능</translation>
        </message>
        <message>
            <source>Untick to freeze: the weights get no updates.</source>
            <translation>체크를 해제하면 동결됩니다: 가중치가 업데이트되지 않습니다.</translation>
        </message>
        <message>
            <source>Threshold</source>
            <translation>임계값</translation>
        </message>
        <message>
            <source>Output 1 where x ≥ threshold, else 0.</source>
            <translation>x ≥ 임계값이면 1, 아니면 0을 출력합니다.</translation>
        </message>
        <message>
            <source>Alpha</source>
            <translation>알파</translation>
        </message>
        <message>
            <source>Slope for x &lt; 0.</source>
            <translation>x &lt; 0에서의 기울기.</translation>
        </message>
        <message>
            <source>PyTorch default 0.01 (the Keras layer defaults to 0.3)</source>
            <translation>PyTorch 기본값 0.01 (Keras 층의 기본값은 0.3)</translation>
        </message>
        <message>
            <source>Alpha init</source>
            <translation>알파 초깃값</translation>
        </message>
        <message>
            <source>Initial slope for x &lt; 0.</source>
            <translation>x &lt; 0에서의 초기 기울기.</translation>
        </message>
        <message>
            <source>PyTorch init 0.25 (Keras initialises to 0)</source>
            <translation>PyTorch 초깃값 0.25 (Keras는 0으로 초기화)</translation>
        </message>
        <message>
            <source>Untick to freeze the slopes.</source>
            <translation>체크를 해제하면 기울기를 동결합니다.</translation>
        </message>
        <message>
            <source>Lower</source>
            <translation>하한</translation>
        </message>
        <message>
            <source>Smallest random slope.</source>
            <translation>무작위 기울기의 최솟값.</translation>
        </message>
        <message>
            <source>Upper</source>
            <translation>상한</translation>
        </message>
        <message>
            <source>Largest random slope.</source>
            <translation>무작위 기울기의 최댓값.</translation>
        </message>
        <message>
            <source>α·(eˣ−1) for x &lt; 0.</source>
            <translation>x &lt; 0에서 α·(eˣ−1).</translation>
        </message>
        <message>
            <source>Momentum</source>
            <translation>모멘텀</translation>
        </message>
        <message>
            <source>How much of the old moving statistics each batch keeps.</source>
            <translation>배치마다 이전 이동 통계를 얼마나 유지할지.</translation>
        </message>
        <message>
            <source>Keras: moving = m·moving + (1−m)·batch (PyTorch's 0.1 ≈ Keras 0.9)</source>
            <translation>Keras: moving = m·moving + (1−m)·batch (PyTorch의 0.1 ≈ Keras의 0.9)</translation>
        </message>
        <message>
            <source>Epsilon</source>
            <translation>엡실론</translation>
        </message>
        <message>
            <source>Added to the variance to avoid dividing by zero.</source>
            <translation>0으로 나누지 않도록 분산에 더하는 값.</translation>
        </message>
        <message>
            <source>Keras 1e-3 (PyTorch 1e-5)</source>
            <translation>Keras 1e-3 (PyTorch 1e-5)</translation>
        </message>
        <message>
            <source>Center</source>
            <translation>이동(β) 학습</translation>
        </message>
        <message>
            <source>Learn a shift β.</source>
            <translation>이동값 β를 학습합니다.</translation>
        </message>
        <message>
            <source>Scale</source>
            <translation>배율(γ) 학습</translation>
        </message>
        <message>
            <source>Learn a scale γ.</source>
            <translation>배율 γ를 학습합니다.</translation>
        </message>
        <message>
            <source>Untick to freeze γ and β.</source>
            <translation>체크를 해제하면 γ와 β를 동결합니다.</translation>
        </message>
        <message>
            <source>Rate</source>
            <translation>비율</translation>
        </message>
        <message>
            <source>Fraction of units dropped.</source>
            <translation>버리는 유닛의 비율.</translation>
        </message>
        <message>
            <source>Inverted</source>
            <translation>역 드롭아웃</translation>
        </message>
        <message>
            <source>Scale during training (modern) rather than at inference.</source>
            <translation>추론 때가 아니라 학습 중에 스케일을 맞춥니다 (요즘 방식).</translation>
        </message>
        <message>
            <source>Num inputs</source>
            <translation>입력 수</translation>
        </message>
        <message>
            <source>Number of input ports.</source>
            <translation>입력 포트의 개수.</translation>
        </message>
        <message>
            <source>Filters</source>
            <translation>필터 수</translation>
        </message>
        <message>
            <source>Number of kernels (output channels).</source>
            <translation>커널 수(출력 채널 수).</translation>
        </message>
        <message>
            <source>Kernel size</source>
            <translation>커널 크기</translation>
        </message>
        <message>
            <source>Kernel height and width: one size, or [height, width].</source>
            <translation>커널의 높이와 너비: 크기 하나 또는 [높이, 너비].</translation>
        </message>
        <message>
            <source>Strides</source>
            <translation>스트라이드</translation>
        </message>
        <message>
            <source>Step of the kernel: one size, or [vertical, horizontal].</source>
            <translation>커널이 한 번에 움직이는 간격(스트라이드): 크기 하나 또는 [세로, 가로].</translation>
        </message>
        <message>
            <source>Padding</source>
            <translation>패딩</translation>
        </message>
        <message>
            <source>'valid': no padding (the image shrinks); 'same': zero padding so out = ceil(in / stride).</source>
            <translation>'valid': 패딩 없음(이미지가 작아집니다). 'same': 출력 크기가 ceil(입력 크기 / 스트라이드)가 되도록 0으로 패딩합니다.</translation>
        </message>
        <message>
            <source>TensorFlow 'same': an odd padding puts the extra row/column at the bottom/right</source>
            <translation>TensorFlow의 'same': 패딩이 홀수이면 남는 한 줄은 아래쪽/오른쪽에 둡니다</translation>
        </message>
        <message>
            <source>Add a learned bias to each output channel.</source>
            <translation>출력 채널마다 학습되는 편향을 더합니다.</translation>
        </message>
        <message>
            <source>Pool size</source>
            <translation>풀링 창 크기</translation>
        </message>
        <message>
            <source>Window height and width: one size, or [height, width].</source>
            <translation>창의 높이와 너비: 크기 하나 또는 [높이, 너비].</translation>
        </message>
        <message>
            <source>Step of the window; 0 = the pool size (Keras' default: windows that do not overlap).</source>
            <translation>창이 한 번에 움직이는 간격(스트라이드). 0 = 풀링 창 크기(Keras 기본값: 창이 겹치지 않음).</translation>
        </message>
        <message>
            <source>'valid': windows inside the image only; 'same': out = ceil(in / stride).</source>
            <translation>'valid': 이미지 안에 들어가는 창만 씁니다. 'same': 출력 크기 = ceil(입력 크기 / 스트라이드).</translation>
        </message>
        <message>
            <source>TensorFlow 'same': padded positions are ignored, not counted as zeros</source>
            <translation>TensorFlow의 'same': 패딩된 자리는 0으로 세지 않고 무시합니다</translation>
        </message>
        <message>
            <source>Size of the hidden state h_t (and of the output per time step).</source>
            <translation>은닉 상태 h_t의 크기(시점마다의 출력 크기이기도 함)입니다.</translation>
        </message>
        <message>
            <source>Return sequences</source>
            <translation>시퀀스 반환</translation>
        </message>
        <message>
            <source>Output h_t for every time step (T, units) — needed before another recurrent layer — instead of only the last one (units,).</source>
            <translation>마지막 시점의 h_t (유닛 수,)만이 아니라 모든 시점의 h_t (T, 유닛 수)를 출력합니다. 뒤에 다른 순환 층이 올 때 필요합니다.</translation>
        </message>
        <message>
            <source>Activation</source>
            <translation>활성화</translation>
        </message>
        <message>
            <source>The state's non-linearity. tanh (Keras' default) keeps h_t in (−1, 1).</source>
            <translation>상태의 비선형 함수입니다. tanh(Keras 기본값)는 h_t를 (−1, 1) 안에 둡니다.</translation>
        </message>
        <message>
            <source>Add a learned bias to every gate.</source>
            <translation>모든 게이트에 학습되는 편향을 더합니다.</translation>
        </message>
        <message>
            <source>Recurrent initializer</source>
            <translation>순환 가중치 초기화</translation>
        </message>
        <message>
            <source>How the recurrent weights (h_{t−1} → gates) start. Orthogonal (Keras' default) keeps the norm of h through many steps at the start of training.</source>
            <translation>순환 가중치(h_{t−1} → 게이트)의 초기화 방법입니다. 직교 초기화(Keras 기본값)는 학습 초기에 여러 시점을 지나도 h의 크기를 유지합니다.</translation>
        </message>
        <message>
            <source>Unit forget bias</source>
            <translation>유닛 망각 편향 (망각 게이트 편향을 1로 시작)</translation>
        </message>
        <message>
            <source>Start the forget gate's bias at 1 (Keras' default; Jozefowicz et al. 2015), so the cell keeps its memory at the start of training.</source>
            <translation>망각 게이트의 편향을 1로 시작합니다(Keras 기본값; Jozefowicz et al. 2015). 그래서 학습 초기에 셀이 기억을 유지합니다.</translation>
        </message>
        <message>
            <source>Target shape</source>
            <translation>타깃 모양</translation>
        </message>
        <message>
            <source>Shape of one output sample, sizes separated by commas; one may be -1 (worked out from the others, as in Keras).</source>
            <translation>출력 샘플 하나의 모양. 크기를 쉼표로 구분합니다. 하나는 -1로 둘 수 있습니다(Keras처럼 나머지 크기에서 계산).</translation>
        </message>
        <message>
            <source>Delta</source>
            <translation>델타</translation>
        </message>
        <message>
            <source>Where the loss turns from quadratic to linear.</source>
            <translation>손실이 제곱에서 선형으로 바뀌는 지점.</translation>
        </message>
        <message>
            <source>From logits</source>
            <translation>로짓 입력</translation>
        </message>
        <message>
            <source>Tick when the output is a raw score (no sigmoid/softmax at the end).</source>
            <translation>출력이 원시 점수(끝에 시그모이드/소프트맥스 없음)일 때 체크하세요.</translation>
        </message>
        <message>
            <source>Learning rate</source>
            <translation>학습률</translation>
        </message>
        <message>
            <source>Step size of each update.</source>
            <translation>업데이트 한 번의 스텝 크기.</translation>
        </message>
        <message>
            <source>Fraction of the previous step kept.</source>
            <translation>이전 스텝을 유지하는 비율.</translation>
        </message>
        <message>
            <source>PyTorch: b = m·b + g; p −= lr·b</source>
            <translation>PyTorch: b = m·b + g; p −= lr·b</translation>
        </message>
        <message>
            <source>Nesterov</source>
            <translation>네스테로프</translation>
        </message>
        <message>
            <source>Look ahead along the momentum before taking the gradient.</source>
            <translation>기울기를 구하기 전에 모멘텀 방향으로 미리 내다봅니다.</translation>
        </message>
        <message>
            <source>Beta 1</source>
            <translation>베타 1</translation>
        </message>
        <message>
            <source>Decay of the mean of gradients.</source>
            <translation>기울기 평균의 감쇠율.</translation>
        </message>
        <message>
            <source>Beta 2</source>
            <translation>베타 2</translation>
        </message>
        <message>
            <source>Decay of the mean of squared gradients.</source>
            <translation>기울기 제곱 평균의 감쇠율.</translation>
        </message>
        <message>
            <source>Added to √v̂ for stability.</source>
            <translation>안정성을 위해 √v̂에 더하는 값.</translation>
        </message>
        <message>
            <source>PyTorch: after bias correction, 1e-8 (Keras 1e-7, before)</source>
            <translation>PyTorch: 편향 보정 뒤에 1e-8 (Keras는 보정 전에 1e-7)</translation>
        </message>
        <message>
            <source>Weight decay</source>
            <translation>가중치 감쇠</translation>
        </message>
        <message>
            <source>Decoupled weight decay (AdamW).</source>
            <translation>분리된 가중치 감쇠 (AdamW).</translation>
        </message>
        <message>
            <source>Rho</source>
            <translation>로(ρ)</translation>
        </message>
        <message>
            <source>PyTorch alpha 0.99 (Keras rho 0.9)</source>
            <translation>PyTorch alpha 0.99 (Keras rho 0.9)</translation>
        </message>
        <message>
            <source>Added to √v for stability.</source>
            <translation>안정성을 위해 √v에 더하는 값.</translation>
        </message>
        <message>
            <source>Initial accumulator value</source>
            <translation>누적값 초깃값</translation>
        </message>
        <message>
            <source>Starting sum of squared gradients.</source>
            <translation>기울기 제곱 합의 시작값.</translation>
        </message>
        <message>
            <source>PyTorch 0 (Keras 0.1)</source>
            <translation>PyTorch 0 (Keras 0.1)</translation>
        </message>
        <message>
            <source>Added to √s for stability.</source>
            <translation>안정성을 위해 √s에 더하는 값.</translation>
        </message>
        <message>
            <source>Learning rate at step 0 (normally the optimizer's).</source>
            <translation>스텝 0의 학습률 (보통 옵티마이저의 학습률).</translation>
        </message>
        <message>
            <source>Initial learning rate</source>
            <translation>초기 학습률</translation>
        </message>
        <message>
            <source>Decay steps</source>
            <translation>감쇠 스텝</translation>
        </message>
        <message>
            <source>Updates over which the rate is multiplied by decay_rate.</source>
            <translation>학습률에 decay_rate가 한 번 곱해지는 업데이트 수.</translation>
        </message>
        <message>
            <source>Decay rate</source>
            <translation>감쇠율</translation>
        </message>
        <message>
            <source>Factor per decay_steps updates.</source>
            <translation>decay_steps 업데이트마다 곱하는 값.</translation>
        </message>
        <message>
            <source>Staircase</source>
            <translation>계단식</translation>
        </message>
        <message>
            <source>Drop in steps instead of continuously.</source>
            <translation>연속적으로가 아니라 계단식으로 떨어뜨립니다.</translation>
        </message>
        <message>
            <source>Step size</source>
            <translation>스텝 크기</translation>
        </message>
        <message>
            <source>Updates between two drops.</source>
            <translation>두 번의 감소 사이의 업데이트 수.</translation>
        </message>
        <message>
            <source>Gamma</source>
            <translation>감마</translation>
        </message>
        <message>
            <source>Factor of each drop.</source>
            <translation>감소할 때마다 곱하는 값.</translation>
        </message>
        <message>
            <source>Updates over which the rate falls (after warm-up).</source>
            <translation>(웜업 뒤) 학습률이 내려가는 업데이트 수.</translation>
        </message>
        <message>
            <source>Final rate as a fraction of the initial one.</source>
            <translation>최종 학습률 (초기 학습률에 대한 비율).</translation>
        </message>
        <message>
            <source>Warmup steps</source>
            <translation>웜업 스텝</translation>
        </message>
        <message>
            <source>Updates of linear warm-up from 0 (0 = none).</source>
            <translation>0에서 시작하는 선형 웜업의 업데이트 수 (0 = 없음).</translation>
        </message>
        <message>
            <source>Factor</source>
            <translation>배수</translation>
        </message>
        <message>
            <source>Factor of each reduction (&lt; 1).</source>
            <translation>줄일 때마다 곱하는 값 (&lt; 1).</translation>
        </message>
        <message>
            <source>Patience</source>
            <translation>인내 에포크</translation>
        </message>
        <message>
            <source>Epochs without improvement before reducing.</source>
            <translation>줄이기 전에 개선 없이 기다리는 에포크 수.</translation>
        </message>
        <message>
            <source>Min delta</source>
            <translation>최소 변화량</translation>
        </message>
        <message>
            <source>Smallest change that counts as improvement.</source>
            <translation>개선으로 치는 가장 작은 변화량.</translation>
        </message>
        <message>
            <source>Cooldown</source>
            <translation>쿨다운</translation>
        </message>
        <message>
            <source>Epochs to wait after a reduction before counting again.</source>
            <translation>줄인 뒤 다시 세기 시작할 때까지 기다리는 에포크 수.</translation>
        </message>
        <message>
            <source>Min lr</source>
            <translation>최소 학습률</translation>
        </message>
        <message>
            <source>The rate never goes below this.</source>
            <translation>학습률은 이 값 아래로 내려가지 않습니다.</translation>
        </message>
        <message>
            <source>Mode</source>
            <translation>모드</translation>
        </message>
        <message>
            <source>min: lower is better (a loss); max: higher is better (accuracy).</source>
            <translation>min: 낮을수록 좋음 (손실), max: 높을수록 좋음 (정확도).</translation>
        </message>
        <message>
            <source>N</source>
            <translation>샘플 수</translation>
        </message>
        <message>
            <source>Number of samples.</source>
            <translation>샘플의 개수.</translation>
        </message>
        <message>
            <source>Noise</source>
            <translation>잡음</translation>
        </message>
        <message>
            <source>Std of the Gaussian noise added to x.</source>
            <translation>x에 더하는 가우스 잡음의 표준편차.</translation>
        </message>
        <message>
            <source>Radius of the inner circle (the outer one is 1).</source>
            <translation>안쪽 원의 반지름 (바깥 원은 1).</translation>
        </message>
        <message>
            <source>Turns</source>
            <translation>회전 수</translation>
        </message>
        <message>
            <source>Turns of each spiral.</source>
            <translation>나선 하나가 도는 횟수.</translation>
        </message>
        <message>
            <source>Centers</source>
            <translation>중심 수</translation>
        </message>
        <message>
            <source>Number of blobs (classes).</source>
            <translation>덩어리(클래스)의 개수.</translation>
        </message>
        <message>
            <source>Dims</source>
            <translation>차원 수</translation>
        </message>
        <message>
            <source>Number of features.</source>
            <translation>특성의 개수.</translation>
        </message>
        <message>
            <source>Std</source>
            <translation>표준편차</translation>
        </message>
        <message>
            <source>Std of each blob.</source>
            <translation>각 덩어리의 표준편차.</translation>
        </message>
        <message>
            <source>Length</source>
            <translation>길이</translation>
        </message>
        <message>
            <source>Steps in each window: the network sees this many values and predicts the next.</source>
            <translation>각 윈도의 시점 수: 신경망이 이만큼의 값을 보고 다음 값을 예측합니다.</translation>
        </message>
        <message>
            <source>Std of the Gaussian noise added to the window.</source>
            <translation>윈도에 더하는 가우스 잡음의 표준편차입니다.</translation>
        </message>
        <message>
            <source>Steps in each sequence: the symbol to remember comes first, the rest is noise. Longer is harder.</source>
            <translation>각 시퀀스의 시점 수: 기억할 기호가 맨 앞에 오고 나머지는 잡음입니다. 길수록 어렵습니다.</translation>
        </message>
        <message>
            <source>Symbols</source>
            <translation>기호 수</translation>
        </message>
        <message>
            <source>Number of symbols (classes); chance is 1/symbols.</source>
            <translation>기호(클래스)의 수입니다. 우연히 맞힐 확률은 1/기호 수입니다.</translation>
        </message>
        <message>
            <source>Std of the Gaussian noise in the steps after the first.</source>
            <translation>첫 시점 이후의 시점들에 더하는 가우스 잡음의 표준편차입니다.</translation>
        </message>
        <message>
            <source>Batch size</source>
            <translation>배치 크기</translation>
        </message>
        <message>
            <source>Samples per gradient step.</source>
            <translation>기울기 스텝 한 번에 쓰는 샘플 수.</translation>
        </message>
        <message>
            <source>Epochs</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>Passes over the training data.</source>
            <translation>학습 데이터를 몇 번 훑을지.</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>시드</translation>
        </message>
        <message>
            <source>Same seed → identical run.</source>
            <translation>같은 시드 → 똑같은 실행.</translation>
        </message>
        <message>
            <source>Dtype</source>
            <translation>자료형</translation>
        </message>
        <message>
            <source>Floating-point precision.</source>
            <translation>부동소수점 정밀도.</translation>
        </message>
        <message>
            <source>Clip norm</source>
            <translation>노름 클리핑</translation>
        </message>
        <message>
            <source>Rescale gradients whose global L2 norm exceeds this (0 = off).</source>
            <translation>전체 기울기의 L2 노름이 이 값을 넘으면 비율을 줄입니다 (0 = 끔).</translation>
        </message>
        <message>
            <source>Keras: g·c/max(‖g‖, c)</source>
            <translation>Keras: g·c/max(‖g‖, c)</translation>
        </message>
        <message>
            <source>Clip value</source>
            <translation>값 클리핑</translation>
        </message>
        <message>
            <source>Clip each gradient to [−v, v] (0 = off).</source>
            <translation>각 기울기를 [−v, v]로 자릅니다 (0 = 끔).</translation>
        </message>
        <message>
            <source>Stats interval</source>
            <translation>통계 간격</translation>
        </message>
        <message>
            <source>Batches between per-layer statistics (gradient flow, histograms).</source>
            <translation>층별 통계(기울기 흐름, 히스토그램)를 모으는 배치 간격.</translation>
        </message>
        <message>
            <source>Device</source>
            <translation>장치</translation>
        </message>
        <message>
            <source>Where training runs.</source>
            <translation>학습을 실행할 장치.</translation>
        </message>
        <message>
            <source>Threads</source>
            <translation>스레드</translation>
        </message>
        <message>
            <source>CPU threads for training (0 = the physical cores).</source>
            <translation>학습에 쓸 CPU 스레드 수 (0 = 물리 코어 수).</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>출처</translation>
        </message>
        <message>
            <source>Where the data comes from.</source>
            <translation>데이터를 어디서 가져올지.</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>이름</translation>
        </message>
        <message>
            <source>Built-in data set name.</source>
            <translation>내장 데이터셋 이름.</translation>
        </message>
        <message>
            <source>Path</source>
            <translation>경로</translation>
        </message>
        <message>
            <source>CSV or NPZ file (for those sources).</source>
            <translation>CSV 또는 NPZ 파일 (해당 출처일 때).</translation>
        </message>
        <message>
            <source>Validation split</source>
            <translation>검증 비율</translation>
        </message>
        <message>
            <source>Fraction held out for validation.</source>
            <translation>검증용으로 떼어 두는 비율.</translation>
        </message>
        <message>
            <source>Test split</source>
            <translation>테스트 비율</translation>
        </message>
        <message>
            <source>Fraction held out for the final test.</source>
            <translation>마지막 테스트용으로 떼어 두는 비율.</translation>
        </message>
        <message>
            <source>Scaling</source>
            <translation>스케일링</translation>
        </message>
        <message>
            <source>Feature scaling, fitted on the training part only.</source>
            <translation>특성 스케일링. 학습 데이터로만 맞춥니다.</translation>
        </message>
        <message>
            <source>Seed of the split (and generated data).</source>
            <translation>분할(과 생성 데이터)의 시드.</translation>
        </message>
        <message>
            <source>Enabled</source>
            <translation>사용</translation>
        </message>
        <message>
            <source>Stop when the monitored value stops improving.</source>
            <translation>모니터링하는 값이 더 나아지지 않으면 멈춥니다.</translation>
        </message>
        <message>
            <source>Monitor</source>
            <translation>모니터링 값</translation>
        </message>
        <message>
            <source>What to watch, e.g. val_loss, loss, val_accuracy.</source>
            <translation>지켜볼 값 (손실이나 지표). 예: val_loss, loss, val_accuracy.</translation>
        </message>
        <message>
            <source>Epochs without improvement before stopping.</source>
            <translation>멈추기 전에 개선 없이 기다리는 에포크 수.</translation>
        </message>
        <message>
            <source>Restore best weights</source>
            <translation>최적 가중치 복원</translation>
        </message>
        <message>
            <source>Go back to the best epoch's weights when training ends (Keras: also without an early stop).</source>
            <translation>학습이 끝날 때 가장 좋은 에포크의 가중치로 돌아갑니다(Keras: 조기 종료가 없어도).</translation>
        </message>
        <message>
            <source>Save the best weights while training.</source>
            <translation>학습하는 동안 가장 좋은 가중치를 저장합니다.</translation>
        </message>
        <message>
            <source>Weights file (.npz) to write; empty: next to the design.</source>
            <translation>저장할 가중치 파일(.npz). 비우면 설계 파일 옆에 저장합니다.</translation>
        </message>
        <message>
            <source>Value that decides which epoch is best.</source>
            <translation>어느 에포크가 가장 좋은지 정하는 값.</translation>
        </message>
        <message>
            <source>All zeros. Right for biases; for kernels it leaves every unit identical.</source>
            <translation>모두 0. 편향에는 알맞지만, 커널에 쓰면 모든 유닛이 똑같아집니다.</translation>
        </message>
        <message>
            <source>All ones. Used for BatchNorm/LayerNorm scale (gamma).</source>
            <translation>모두 1. BatchNorm/LayerNorm의 배율(gamma)에 씁니다.</translation>
        </message>
        <message>
            <source>Every value equal to `value`.</source>
            <translation>모든 값이 `value`와 같습니다.</translation>
        </message>
        <message>
            <source>Normal with mean 0 and standard deviation `stddev` (default 0.05).</source>
            <translation>평균 0, 표준편차 `stddev`(기본 0.05)인 정규분포.</translation>
        </message>
        <message>
            <source>Uniform in [-`limit`, `limit`] (default 0.05).</source>
            <translation>[-`limit`, `limit`] 구간의 균등분포 (기본 0.05).</translation>
        </message>
        <message>
            <source>Uniform, variance 2/(fan_in+fan_out). Suits tanh and sigmoid (Glorot 2010).</source>
            <translation>균등분포, 분산 2/(fan_in+fan_out). tanh와 시그모이드에 맞습니다 (Glorot 2010).</translation>
        </message>
        <message>
            <source>Truncated normal, variance 2/(fan_in+fan_out). Suits tanh and sigmoid.</source>
            <translation>절단 정규분포, 분산 2/(fan_in+fan_out). tanh와 시그모이드에 맞습니다.</translation>
        </message>
        <message>
            <source>Uniform, variance 2/fan_in. Suits ReLU and its relatives (He 2015).</source>
            <translation>균등분포, 분산 2/fan_in. ReLU 계열에 맞습니다 (He 2015).</translation>
        </message>
        <message>
            <source>Truncated normal, variance 2/fan_in. Suits ReLU and its relatives (He 2015).</source>
            <translation>절단 정규분포, 분산 2/fan_in. ReLU 계열에 맞습니다 (He 2015).</translation>
        </message>
        <message>
            <source>Uniform, variance 1/fan_in.</source>
            <translation>균등분포, 분산 1/fan_in.</translation>
        </message>
        <message>
            <source>Truncated normal, variance 1/fan_in. What SELU needs for self-normalisation.</source>
            <translation>절단 정규분포, 분산 1/fan_in. SELU가 자기 정규화를 하려면 필요합니다.</translation>
        </message>
        <message>
            <source>A random orthogonal matrix (Keras: QR of a normal matrix; rows or columns orthonormal). The recurrent layers' default: h·U keeps the norm of h.</source>
            <translation>무작위 직교 행렬입니다(Keras: 정규분포 행렬의 QR 분해; 행 또는 열이 정규 직교). 순환 층의 기본값이며, h·U가 h의 크기를 유지합니다.</translation>
        </message>
    </context>
    <context>
        <name>Dashboard</name>
        <message>
            <source>Feature Maps</source>
            <translation>특성 맵</translation>
        </message>
        <message>
            <source>Gradients Through Time</source>
            <translation>시간에 따른 기울기</translation>
        </message>
    </context>
    <context>
        <name>DataDialog</name>
        <message>
            <source>Data</source>
            <translation>데이터</translation>
        </message>
        <message>
            <source>Built-in data set</source>
            <translation>내장 데이터셋</translation>
        </message>
        <message>
            <source>CSV file</source>
            <translation>CSV 파일</translation>
        </message>
        <message>
            <source>NumPy file (.npz / .npy)</source>
            <translation>NumPy 파일 (.npz / .npy)</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>출처</translation>
        </message>
        <message>
            <source>Split and scaling</source>
            <translation>분할과 스케일링</translation>
        </message>
        <message>
            <source>Standardise (mean 0, std 1)</source>
            <translation>표준화 (평균 0, 표준편차 1)</translation>
        </message>
        <message>
            <source>Min–max to [0, 1]</source>
            <translation>최소–최대 [0, 1]</translation>
        </message>
        <message>
            <source>None</source>
            <translation>없음</translation>
        </message>
        <message>
            <source>Scaling</source>
            <translation>스케일링</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>시드</translation>
        </message>
        <message>
            <source>Validation fraction</source>
            <translation>검증 비율</translation>
        </message>
        <message>
            <source>Test fraction</source>
            <translation>테스트 비율</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>검사</translation>
        </message>
        <message>
            <source>Load the data as training will and show what it holds</source>
            <translation>학습할 때와 똑같이 데이터를 읽어 내용을 보여 줍니다</translation>
        </message>
        <message>
            <source>Data set</source>
            <translation>데이터셋</translation>
        </message>
        <message>
            <source>Choose a file…</source>
            <translation>파일 선택…</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>찾아보기…</translation>
        </message>
        <message>
            <source>File</source>
            <translation>파일</translation>
        </message>
        <message>
            <source>Detect</source>
            <translation>자동 감지</translation>
        </message>
        <message>
            <source>Comma ,</source>
            <translation>쉼표 ,</translation>
        </message>
        <message>
            <source>Semicolon ;</source>
            <translation>세미콜론 ;</translation>
        </message>
        <message>
            <source>Tab</source>
            <translation>탭</translation>
        </message>
        <message>
            <source>Pipe |</source>
            <translation>파이프 |</translation>
        </message>
        <message>
            <source>Space</source>
            <translation>공백</translation>
        </message>
        <message>
            <source>First row holds names</source>
            <translation>첫 행이 열 이름</translation>
        </message>
        <message>
            <source>No header row</source>
            <translation>머리글 행 없음</translation>
        </message>
        <message>
            <source>Point 1.5</source>
            <translation>마침표 1.5</translation>
        </message>
        <message>
            <source>Comma 1,5</source>
            <translation>쉼표 1,5</translation>
        </message>
        <message>
            <source>The decimal mark of the numbers; with a comma, the delimiter is a semicolon or a tab</source>
            <translation>숫자의 소수점 기호. 쉼표를 쓰면 구분자는 세미콜론이나 탭이어야 합니다</translation>
        </message>
        <message>
            <source>The file's text encoding, e.g. cp1252 for many Windows exports (any Python codec name can be typed)</source>
            <translation>파일의 텍스트 인코딩. 예: Windows에서 내보낸 파일은 흔히 cp1252 (Python 코덱 이름은 무엇이든 입력할 수 있습니다)</translation>
        </message>
        <message>
            <source>Delimiter</source>
            <translation>구분자</translation>
        </message>
        <message>
            <source>Header</source>
            <translation>머리글</translation>
        </message>
        <message>
            <source>Decimal mark</source>
            <translation>소수점 기호</translation>
        </message>
        <message>
            <source>Encoding</source>
            <translation>인코딩</translation>
        </message>
        <message>
            <source>Column</source>
            <translation>열</translation>
        </message>
        <message>
            <source>Values</source>
            <translation>값</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>역할</translation>
        </message>
        <message>
            <source>Name of the features array in an .npz archive</source>
            <translation>.npz 아카이브 안의 특성 배열 이름</translation>
        </message>
        <message>
            <source>Name of the targets array in an .npz archive</source>
            <translation>.npz 아카이브 안의 타깃 배열 이름</translation>
        </message>
        <message>
            <source>Features array</source>
            <translation>특성 배열</translation>
        </message>
        <message>
            <source>Targets array</source>
            <translation>타깃 배열</translation>
        </message>
        <message>
            <source>Stop with an error</source>
            <translation>오류로 중단</translation>
        </message>
        <message>
            <source>Drop the row</source>
            <translation>그 행 버리기</translation>
        </message>
        <message>
            <source>Fill in the column mean</source>
            <translation>열 평균으로 채우기</translation>
        </message>
        <message>
            <source>Empty fields and NA, NaN, N/A, null, none, ? are missing values</source>
            <translation>빈 칸과 NA, NaN, N/A, null, none, ?는 결측값입니다</translation>
        </message>
        <message>
            <source>Classification</source>
            <translation>분류</translation>
        </message>
        <message>
            <source>Binary</source>
            <translation>이진</translation>
        </message>
        <message>
            <source>Multiclass</source>
            <translation>다중 클래스</translation>
        </message>
        <message>
            <source>Regression</source>
            <translation>회귀</translation>
        </message>
        <message>
            <source>Detect: text or a few integer values are classes, else regression</source>
            <translation>자동 감지: 텍스트나 몇 개 안 되는 정수 값이면 클래스, 아니면 회귀</translation>
        </message>
        <message>
            <source>Missing values</source>
            <translation>결측값</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>작업</translation>
        </message>
        <message>
            <source>CSV files (*.csv *.tsv *.txt)</source>
            <translation>CSV 파일 (*.csv *.tsv *.txt)</translation>
        </message>
        <message>
            <source>NumPy files (*.npz *.npy)</source>
            <translation>NumPy 파일 (*.npz *.npy)</translation>
        </message>
        <message>
            <source>Choose data file</source>
            <translation>데이터 파일 선택</translation>
        </message>
        <message>
            <source>All files (*)</source>
            <translation>모든 파일 (*)</translation>
        </message>
        <message>
            <source>Suggested target: {0} ({1})</source>
            <translation>추천 타깃: {0} ({1})</translation>
        </message>
        <message>
            <source>numbers</source>
            <translation>숫자</translation>
        </message>
        <message>
            <source>text</source>
            <translation>텍스트</translation>
        </message>
        <message>
            <source>empty</source>
            <translation>비어 있음</translation>
        </message>
        <message>
            <source>Text values can only be the target (class names)</source>
            <translation>텍스트 값은 타깃(클래스 이름)으로만 쓸 수 있습니다</translation>
        </message>
        <message>
            <source>Choose a data file (or a built-in data set)</source>
            <translation>데이터 파일(또는 내장 데이터셋)을 고르세요</translation>
        </message>
        <message>
            <source>Choose a target column (its role: target)</source>
            <translation>타깃 열을 고르세요 (역할: 타깃)</translation>
        </message>
        <message>
            <source>Choose at least one feature column</source>
            <translation>특성 열을 하나 이상 고르세요</translation>
        </message>
        <message>
            <source>{0} samples: {1} train · {2} validation · {3} test. {4} features.</source>
            <translation>샘플 {0}개: 학습 {1} · 검증 {2} · 테스트 {3}. 특성 {4}개.</translation>
        </message>
        <message>
            <source>Regression, {0} target value(s).</source>
            <translation>회귀, 타깃 값 {0}개.</translation>
        </message>
        <message>
            <source>{0}: {1} classes ({2}).</source>
            <translation>{0}: 클래스 {1}개 ({2}).</translation>
        </message>
        <message>
            <source>Set data</source>
            <translation>데이터 설정</translation>
        </message>
    </context>
    <context>
        <name>DiagnosisHooks</name>
        <message>
            <source>The run is no longer in the run history</source>
            <translation>이 실행은 더 이상 실행 기록에 없습니다</translation>
        </message>
        <message>
            <source>{0} + {1}</source>
            <translation>{0} + {1}</translation>
        </message>
        <message>
            <source>Training the fix: {0}</source>
            <translation>해결책을 학습하는 중: {0}</translation>
        </message>
    </context>
    <context>
        <name>DiagnosisPanel</name>
        <message>
            <source>Try the Fix</source>
            <translation>해결책 시도</translation>
        </message>
        <message>
            <source>Train a variant with this change and compare it with the run</source>
            <translation>이 변경을 적용한 변형을 학습해서 원래 실행과 비교합니다</translation>
        </message>
        <message>
            <source>No problems seen. Diagnoses appear here while a run trains.</source>
            <translation>발견된 문제가 없습니다. 학습하는 동안 진단 결과가 여기에 나타납니다.</translation>
        </message>
        <message>
            <source>Diagnosis</source>
            <translation>진단</translation>
        </message>
        <message>
            <source>One forward and backward pass before the first update shows each layer's spread.</source>
            <translation>첫 업데이트 전에 순전파와 역전파를 한 번 해서 층마다 값이 퍼진 정도를 보여 줍니다.</translation>
        </message>
        <message>
            <source>Check Initialization</source>
            <translation>초기화 점검</translation>
        </message>
        <message>
            <source>Block</source>
            <translation>블록</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>종류</translation>
        </message>
        <message>
            <source>Output mean</source>
            <translation>출력 평균</translation>
        </message>
        <message>
            <source>Output spread</source>
            <translation>출력 퍼짐</translation>
        </message>
        <message>
            <source>Gradient spread</source>
            <translation>기울기 퍼짐</translation>
        </message>
        <message>
            <source>Weight gradient norm</source>
            <translation>가중치 기울기 노름</translation>
        </message>
        <message>
            <source>Initialization</source>
            <translation>초기화</translation>
        </message>
        <message>
            <source>Fix: {0}</source>
            <translation>해결책: {0}</translation>
        </message>
        <message>
            <source>Before the first update, on {0} rows: loss {1}; {2} problem(s) seen.</source>
            <translation>첫 업데이트 전, {0}개 행에서: 손실 {1}, 발견된 문제 {2}개.</translation>
        </message>
    </context>
    <context>
        <name>Document</name>
        <message>
            <source>Untitled</source>
            <translation>제목 없음</translation>
        </message>
    </context>
    <context>
        <name>ExportDialog</name>
        <message>
            <source>Export Trained Weights</source>
            <translation>학습된 가중치 내보내기</translation>
        </message>
        <message>
            <source>Weights of “{0}”, trained for {1} epoch(s).</source>
            <translation>“{0}”의 가중치, {1} 에포크 학습됨.</translation>
        </message>
        <message>
            <source>Stale weights: they were trained on a different structure than the design has now; the file holds the trained structure's weights.</source>
            <translation>오래된 가중치: 지금 설계와 다른 구조에서 학습되었습니다. 파일에는 학습했던 구조의 가중치가 들어갑니다.</translation>
        </message>
        <message>
            <source>NumPy archive (.npz) — weights and metadata</source>
            <translation>NumPy 아카이브 (.npz) — 가중치와 메타데이터</translation>
        </message>
        <message>
            <source>safetensors (.safetensors) — weights and metadata</source>
            <translation>safetensors (.safetensors) — 가중치와 메타데이터</translation>
        </message>
        <message>
            <source>ONNX (.onnx) — the inference graph, for other runtimes</source>
            <translation>ONNX (.onnx) — 다른 런타임용 추론 그래프</translation>
        </message>
        <message>
            <source>PyTorch module (.py) — the network, load_model() and the training loop; weights in a .safetensors beside it</source>
            <translation>PyTorch 모듈 (.py) — 신경망, load_model(), 학습 루프. 가중치는 옆의 .safetensors 파일에 들어갑니다</translation>
        </message>
        <message>
            <source>Format</source>
            <translation>형식</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>찾아보기…</translation>
        </message>
        <message>
            <source>File</source>
            <translation>파일</translation>
        </message>
        <message>
            <source>ONNX operator set version (18 runs in onnxruntime ≥ 1.14)</source>
            <translation>ONNX 연산자 집합 버전 (18은 onnxruntime ≥ 1.14에서 실행됩니다)</translation>
        </message>
        <message>
            <source>ONNX opset</source>
            <translation>ONNX opset</translation>
        </message>
        <message>
            <source>Export</source>
            <translation>내보내기</translation>
        </message>
        <message>
            <source>Writes the .py module and {0} next to it; the module needs torch and safetensors.</source>
            <translation>.py 모듈과 그 옆에 {0}을(를) 씁니다. 이 모듈을 쓰려면 torch와 safetensors가 필요합니다.</translation>
        </message>
        <message>
            <source>The input scaler is stored with the weights (folded into the graph for ONNX).</source>
            <translation>입력 스케일러가 가중치와 함께 저장됩니다 (ONNX에서는 그래프에 합쳐집니다).</translation>
        </message>
        <message>
            <source>NumPy archives (*.npz)</source>
            <translation>NumPy 아카이브 (*.npz)</translation>
        </message>
        <message>
            <source>safetensors files (*.safetensors)</source>
            <translation>safetensors 파일 (*.safetensors)</translation>
        </message>
        <message>
            <source>ONNX models (*.onnx)</source>
            <translation>ONNX 모델 (*.onnx)</translation>
        </message>
        <message>
            <source>Python modules (*.py)</source>
            <translation>Python 모듈 (*.py)</translation>
        </message>
        <message>
            <source>Export trained weights</source>
            <translation>학습된 가중치 내보내기</translation>
        </message>
        <message>
            <source>Choose a file name</source>
            <translation>파일 이름을 고르세요</translation>
        </message>
        <message>
            <source>Cannot export the weights</source>
            <translation>가중치를 내보낼 수 없습니다</translation>
        </message>
    </context>
    <context>
        <name>FeatureMapPanel</name>
        <message>
            <source>A validation sample's activation maps and the filters of a Conv2D layer</source>
            <translation>검증 샘플 하나의 활성화 맵과 Conv2D 층의 필터</translation>
        </message>
        <message>
            <source>Sample</source>
            <translation>샘플</translation>
        </message>
        <message>
            <source>Which validation sample's activations to show</source>
            <translation>활성화를 보여 줄 검증 샘플</translation>
        </message>
        <message>
            <source>Conv2D layer to show</source>
            <translation>보여 줄 Conv2D 층</translation>
        </message>
        <message>
            <source>What a filter tile shows of its kernel's input channels</source>
            <translation>필터 타일이 커널의 입력 채널 가운데 무엇을 보여 줄지</translation>
        </message>
        <message>
            <source>mean over input channels</source>
            <translation>입력 채널 평균</translation>
        </message>
        <message>
            <source>input channel {0}</source>
            <translation>입력 채널 {0}</translation>
        </message>
        <message>
            <source>Activation maps of sample {0}: {1}×{2}, {3} channels</source>
            <translation>샘플 {0}의 활성화 맵: {1}×{2}, 채널 {3}개</translation>
        </message>
        <message>
            <source>channel {0}</source>
            <translation>채널 {0}</translation>
        </message>
        <message>
            <source>Filters {0}×{1}</source>
            <translation>필터 {0}×{1}</translation>
        </message>
        <message>
            <source>Filters {0}×{1}, mean over {2} input channels</source>
            <translation>필터 {0}×{1}, 입력 채널 {2}개의 평균</translation>
        </message>
        <message>
            <source>Filters {0}×{1}, input channel {2}</source>
            <translation>필터 {0}×{1}, 입력 채널 {2}</translation>
        </message>
        <message>
            <source>filter {0}</source>
            <translation>필터 {0}</translation>
        </message>
        <message>
            <source>Add a Conv2D block to see its feature maps</source>
            <translation>Conv2D 블록을 추가하면 그 특성 맵을 볼 수 있습니다</translation>
        </message>
        <message>
            <source>Train a design with a Conv2D block to see its feature maps</source>
            <translation>Conv2D 블록이 있는 설계를 학습시키면 그 특성 맵을 볼 수 있습니다</translation>
        </message>
        <message>
            <source>Waiting for the feature maps of sample {0}…</source>
            <translation>샘플 {0}의 특성 맵을 기다리는 중…</translation>
        </message>
    </context>
    <context>
        <name>FileOps</name>
        <message>
            <source>Open design</source>
            <translation>설계 열기</translation>
        </message>
        <message>
            <source>Opened {0}</source>
            <translation>{0}을(를) 열었습니다</translation>
        </message>
        <message>
            <source>Opened {0} with a change: {1}</source>
            <translation>{0}을(를) 열면서 한 군데를 바꿨습니다: {1}</translation>
        </message>
        <message>
            <source>Opened {0} with {1} changes; the first: {2}</source>
            <translation>{0}을(를) 열면서 {1}군데를 바꿨습니다. 첫 번째: {2}</translation>
        </message>
        <message>
            <source>Opened with changes</source>
            <translation>바뀐 채로 열림</translation>
        </message>
        <message>
            <source>“{0}” was opened, but not exactly as written:</source>
            <translation>“{0}”을(를) 열었지만, 파일에 적힌 그대로는 아닙니다:</translation>
        </message>
        <message>
            <source>Saving keeps the shortened text.</source>
            <translation>저장하면 줄인 텍스트가 저장됩니다.</translation>
        </message>
        <message>
            <source>Save design as</source>
            <translation>다른 이름으로 설계 저장</translation>
        </message>
        <message>
            <source>Cannot save</source>
            <translation>저장할 수 없습니다</translation>
        </message>
        <message>
            <source>The design could not be saved to “{0}”:
{1}</source>
            <translation>설계를 “{0}”에 저장하지 못했습니다:
{1}</translation>
        </message>
        <message>
            <source>Saved {0}</source>
            <translation>{0}을(를) 저장했습니다</translation>
        </message>
        <message>
            <source>Clear Menu</source>
            <translation>목록 지우기</translation>
        </message>
        <message>
            <source>No recent files</source>
            <translation>최근 파일 없음</translation>
        </message>
    </context>
    <context>
        <name>GalleryDialog</name>
        <message>
            <source>Gallery of Experiments</source>
            <translation>실험 갤러리</translation>
        </message>
        <message>
            <source>Each experiment trains two or more designs that differ in one idea of the course, then compares them and checks what the course claims.</source>
            <translation>각 실험은 강의의 한 가지 생각만 다른 설계 두 개 이상을 학습한 뒤 비교하고, 강의가 주장하는 것을 확인합니다.</translation>
        </message>
        <message>
            <source>Run Comparison</source>
            <translation>비교 실행</translation>
        </message>
        <message>
            <source>Train every variant of this experiment and compare them</source>
            <translation>이 실험의 모든 변형을 학습하고 비교합니다</translation>
        </message>
        <message>
            <source>Open in Editor</source>
            <translation>편집기에서 열기</translation>
        </message>
        <message>
            <source>Open one of the experiment's designs on the canvas, to change and train it yourself</source>
            <translation>실험의 설계 하나를 캔버스에 열어 직접 바꾸고 학습합니다</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>닫기</translation>
        </message>
        <message>
            <source>Activation functions</source>
            <translation>활성화 함수</translation>
        </message>
        <message>
            <source>Initialization</source>
            <translation>초기화</translation>
        </message>
        <message>
            <source>Vanishing and exploding gradients</source>
            <translation>기울기 소실과 기울기 폭주</translation>
        </message>
        <message>
            <source>BatchNorm and LayerNorm</source>
            <translation>배치 정규화와 층 정규화</translation>
        </message>
        <message>
            <source>Dropout</source>
            <translation>드롭아웃</translation>
        </message>
        <message>
            <source>L1 and L2 regularization</source>
            <translation>L1 및 L2 규제</translation>
        </message>
        <message>
            <source>Optimizers</source>
            <translation>옵티마이저</translation>
        </message>
        <message>
            <source>Learning-rate schedules</source>
            <translation>학습률 스케줄</translation>
        </message>
        <message>
            <source>LR range test</source>
            <translation>학습률 범위 테스트</translation>
        </message>
        <message>
            <source>Early stopping and checkpoints</source>
            <translation>조기 종료와 체크포인트</translation>
        </message>
        <message>
            <source>Batch, mini-batch and stochastic gradient descent</source>
            <translation>배치, 미니 배치, 확률적 경사 하강법</translation>
        </message>
        <message>
            <source>Bias, variance and learning curves</source>
            <translation>편향, 분산, 학습 곡선</translation>
        </message>
        <message>
            <source>Residual connections</source>
            <translation>잔차 연결</translation>
        </message>
        <message>
            <source>Fine-tuning with frozen layers</source>
            <translation>동결된 층으로 미세 조정</translation>
        </message>
        <message>
            <source>k-fold cross-validation</source>
            <translation>k-폴드 교차 검증</translation>
        </message>
        <message>
            <source>Metrics</source>
            <translation>지표</translation>
        </message>
        <message>
            <source>Variants</source>
            <translation>변형</translation>
        </message>
        <message>
            <source>What should happen</source>
            <translation>일어나야 할 일</translation>
        </message>
    </context>
    <context>
        <name>GradientPanel</name>
        <message>
            <source>Gradient flow per trainable layer (log scale), input at the bottom</source>
            <translation>학습 가능한 층별 기울기 흐름 (로그 눈금, 입력 쪽이 아래)</translation>
        </message>
        <message>
            <source>What the heat map shows, per layer over time</source>
            <translation>히트맵이 층별로 시간에 따라 보여 줄 값</translation>
        </message>
        <message>
            <source>mean |grad|</source>
            <translation>평균 |기울기|</translation>
        </message>
        <message>
            <source>‖grad‖₂</source>
            <translation>‖기울기‖₂</translation>
        </message>
        <message>
            <source>Over time (log₁₀)</source>
            <translation>시간에 따른 변화 (log₁₀)</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>에포크</translation>
        </message>
    </context>
    <context>
        <name>ImportReportDialog</name>
        <message>
            <source>Imported Weights</source>
            <translation>가져온 가중치</translation>
        </message>
        <message>
            <source>Loaded {0} of the design's {1} weights from “{2}”.</source>
            <translation>“{2}”에서 설계의 가중치 {1}개 중 {0}개를 읽었습니다.</translation>
        </message>
        <message>
            <source>The others keep their initial values. Names are node_id/weight: rename the nodes, or make the shapes match, to load them too.</source>
            <translation>나머지는 초깃값을 유지합니다. 이름은 node_id/weight 형식입니다. 나머지도 읽으려면 노드 이름을 바꾸거나 모양을 맞추세요.</translation>
        </message>
        <message>
            <source>Every weight of the design was loaded.</source>
            <translation>설계의 가중치를 모두 읽었습니다.</translation>
        </message>
        <message>
            <source>The next training starts from these weights.</source>
            <translation>다음 학습은 이 가중치에서 시작합니다.</translation>
        </message>
        <message>
            <source>Loaded</source>
            <translation>읽음</translation>
        </message>
        <message>
            <source>Shape differs — kept as initialised</source>
            <translation>모양이 다름 — 초깃값 유지</translation>
        </message>
        <message>
            <source>Not in the file — kept as initialised</source>
            <translation>파일에 없음 — 초깃값 유지</translation>
        </message>
        <message>
            <source>In the file, not in the design — ignored</source>
            <translation>파일에는 있지만 설계에 없음 — 무시</translation>
        </message>
    </context>
    <context>
        <name>InterventionBar</name>
        <message>
            <source>Learning rate ×</source>
            <translation>학습률 ×</translation>
        </message>
        <message>
            <source>Factor on the learning rate of the settings (and its schedule), from the next chunk of batches on</source>
            <translation>설정의 학습률(과 그 스케줄)에 곱할 값. 다음 배치 묶음부터 적용됩니다</translation>
        </message>
        <message>
            <source>Apply</source>
            <translation>적용</translation>
        </message>
        <message>
            <source>Layer</source>
            <translation>층</translation>
        </message>
        <message>
            <source>Freeze</source>
            <translation>동결</translation>
        </message>
        <message>
            <source>Stop updating this layer's weights while the run goes on</source>
            <translation>실행은 계속하면서 이 층의 가중치 업데이트를 멈춥니다</translation>
        </message>
        <message>
            <source>Unfreeze</source>
            <translation>동결 해제</translation>
        </message>
    </context>
    <context>
        <name>InterventionHooks</name>
        <message>
            <source>Learning rate × {0} from epoch {1:.2f}</source>
            <translation>에포크 {1:.2f}부터 학습률 × {0}</translation>
        </message>
        <message>
            <source>{0} unfrozen from epoch {1:.2f}</source>
            <translation>에포크 {1:.2f}부터 {0} 동결 해제</translation>
        </message>
        <message>
            <source>{0} frozen from epoch {1:.2f}</source>
            <translation>에포크 {1:.2f}부터 {0} 동결</translation>
        </message>
    </context>
    <context>
        <name>KFoldDialog</name>
        <message>
            <source>Cross-validate</source>
            <translation>교차 검증</translation>
        </message>
        <message>
            <source>Train k fresh copies of the design, each tested on the fold of the data it did not see; folds are stratified for classification.</source>
            <translation>설계의 새 복사본 k개를 학습하고, 각각 학습에 쓰지 않은 폴드로 평가합니다. 분류에서는 폴드를 층화합니다.</translation>
        </message>
        <message>
            <source>Number of folds</source>
            <translation>폴드 개수</translation>
        </message>
        <message>
            <source>Seed of the fold assignment (weights start from the training seed)</source>
            <translation>폴드 배정의 시드 (가중치는 학습 시드로 시작합니다)</translation>
        </message>
        <message>
            <source>as in the design ({0})</source>
            <translation>설계와 같이 ({0})</translation>
        </message>
        <message>
            <source>Epochs per fold</source>
            <translation>폴드당 에포크</translation>
        </message>
        <message>
            <source>Folds (k)</source>
            <translation>폴드 수 (k)</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>시드</translation>
        </message>
        <message>
            <source>Epochs</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>Folds trained at once, each in its own process with its share of the CPU cores (1: one after another, with per-epoch progress)</source>
            <translation>동시에 학습할 폴드 수. 폴드마다 자기 프로세스에서 CPU 코어를 나눠 씁니다 (1: 차례로 하나씩, 에포크별 진행 표시)</translation>
        </message>
        <message>
            <source>Side by side</source>
            <translation>동시 실행</translation>
        </message>
        <message>
            <source>Start each fold from the imported weights</source>
            <translation>각 폴드를 가져온 가중치에서 시작</translation>
        </message>
        <message>
            <source>Run</source>
            <translation>실행</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>중지</translation>
        </message>
        <message>
            <source>Fold</source>
            <translation>폴드</translation>
        </message>
        <message>
            <source>Train / test</source>
            <translation>학습 / 테스트</translation>
        </message>
        <message>
            <source>fold {0}</source>
            <translation>폴드 {0}</translation>
        </message>
        <message>
            <source>Fold {0} of {1}: preparing…</source>
            <translation>폴드 {0}/{1}: 준비 중…</translation>
        </message>
        <message>
            <source>Fold {0} of {1}: epoch {2} of {3}</source>
            <translation>폴드 {0}/{1}: 에포크 {2}/{3}</translation>
        </message>
        <message>
            <source>Stopped: {0} of {1} folds done, no summary.</source>
            <translation>중지됨: 폴드 {1}개 중 {0}개 완료, 요약 없음.</translation>
        </message>
        <message>
            <source>mean ± std</source>
            <translation>평균 ± 표준편차</translation>
        </message>
        <message>
            <source>{0}-fold cross-validation: {1}</source>
            <translation>{0}-폴드 교차 검증: {1}</translation>
        </message>
        <message>
            <source>Cross-validation failed</source>
            <translation>교차 검증 실패</translation>
        </message>
        <message>
            <source>Loading the data…</source>
            <translation>데이터를 읽는 중…</translation>
        </message>
        <message>
            <source>Stopping…</source>
            <translation>멈추는 중…</translation>
        </message>
    </context>
    <context>
        <name>Lab</name>
        <message>
            <source>&amp;Gallery…</source>
            <translation>갤러리(&amp;G)…</translation>
        </message>
        <message>
            <source>Experiments from the course, each a ready comparison</source>
            <translation>강의의 실험들, 각각 바로 비교할 수 있습니다</translation>
        </message>
        <message>
            <source>Run {0}</source>
            <translation>실행 {0}</translation>
        </message>
        <message>
            <source>Could not save the run history: {0}</source>
            <translation>실행 기록을 저장할 수 없습니다: {0}</translation>
        </message>
        <message>
            <source>{0} + {1}</source>
            <translation>{0} + {1}</translation>
        </message>
        <message>
            <source>Training the variant…</source>
            <translation>변형을 학습하는 중…</translation>
        </message>
        <message>
            <source>Opened {0}</source>
            <translation>{0}을(를) 열었습니다</translation>
        </message>
        <message>
            <source>Training {0} designs…</source>
            <translation>설계 {0}개를 학습하는 중…</translation>
        </message>
        <message>
            <source>Training {0}</source>
            <translation>학습 중: {0}</translation>
        </message>
        <message>
            <source>Variant trained</source>
            <translation>변형 학습 완료</translation>
        </message>
        <message>
            <source>Run History</source>
            <translation>실행 기록</translation>
        </message>
        <message>
            <source>Run &amp;History</source>
            <translation>실행 기록(&amp;H)</translation>
        </message>
        <message>
            <source>Every training run of this design; compare two or more</source>
            <translation>이 설계의 모든 학습 실행; 두 개 이상을 비교합니다</translation>
        </message>
    </context>
    <context>
        <name>LossPanel</name>
        <message>
            <source>Training loss per batch and per epoch; metrics; learning rate</source>
            <translation>배치별·에포크별 학습 손실, 지표, 학습률</translation>
        </message>
        <message>
            <source>Log scale</source>
            <translation>로그 눈금</translation>
        </message>
        <message>
            <source>Show the loss on a logarithmic axis</source>
            <translation>손실을 로그 축으로 보여 줍니다</translation>
        </message>
        <message>
            <source>Loss</source>
            <translation>손실</translation>
        </message>
        <message>
            <source>Metrics</source>
            <translation>지표</translation>
        </message>
        <message>
            <source>Learning rate</source>
            <translation>학습률</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>batch</source>
            <translation>배치</translation>
        </message>
        <message>
            <source>smoothed</source>
            <translation>평활화</translation>
        </message>
        <message>
            <source>train</source>
            <translation>학습</translation>
        </message>
        <message>
            <source>val</source>
            <translation>검증</translation>
        </message>
        <message>
            <source>best: epoch {0}</source>
            <translation>최고: 에포크 {0}</translation>
        </message>
        <message>
            <source>early stop</source>
            <translation>조기 종료</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>중지됨</translation>
        </message>
        <message>
            <source>diverged</source>
            <translation>발산함</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Opened design</source>
            <translation>설계를 처음 연 상태</translation>
        </message>
        <message>
            <source>Blocks</source>
            <translation>블록</translation>
        </message>
        <message>
            <source>Block</source>
            <translation>블록 정보</translation>
        </message>
        <message>
            <source>Training</source>
            <translation>학습</translation>
        </message>
        <message>
            <source>Problems</source>
            <translation>문제</translation>
        </message>
        <message>
            <source>History</source>
            <translation>작업 내역</translation>
        </message>
        <message>
            <source>Hide the description (Design → Show Description brings it back)</source>
            <translation>설명을 숨깁니다 (설계 → 설명 보기로 다시 볼 수 있습니다)</translation>
        </message>
        <message>
            <source>⚠ Trained weights are stale</source>
            <translation>⚠ 학습된 가중치가 오래되었습니다</translation>
        </message>
        <message>
            <source>Add Block Here</source>
            <translation>여기에 블록 추가</translation>
        </message>
        <message>
            <source>Unfreeze</source>
            <translation>동결 해제</translation>
        </message>
        <message>
            <source>Freeze</source>
            <translation>동결</translation>
        </message>
        <message>
            <source>Frozen blocks keep their weights while the rest trains</source>
            <translation>동결한 블록은 나머지가 학습하는 동안 가중치를 그대로 유지합니다</translation>
        </message>
        <message>
            <source>Freeze {0}</source>
            <translation>{0} 동결</translation>
        </message>
        <message>
            <source>Unfreeze {0}</source>
            <translation>{0} 동결 해제</translation>
        </message>
        <message>
            <source>{0} blocks</source>
            <translation>블록 {0}개</translation>
        </message>
        <message>
            <source>Connection refused — {0}</source>
            <translation>연결할 수 없음 — {0}</translation>
        </message>
        <message>
            <source>Empty design</source>
            <translation>빈 설계</translation>
        </message>
        <message>
            <source>Nothing to check yet: drag an Input block from the Blocks palette onto the canvas, or open an example (File → Examples).</source>
            <translation>아직 확인할 것이 없습니다: 블록 팔레트에서 Input 블록을 캔버스로 끌어 오거나 예제를 여세요 (파일 → 예제).</translation>
        </message>
        <message>
            <source>⚠ {0} problems</source>
            <translation>⚠ 문제 {0}개</translation>
        </message>
        <message>
            <source>⚠ 1 problem</source>
            <translation>⚠ 문제 1개</translation>
        </message>
        <message>
            <source>… checking the data</source>
            <translation>… 데이터를 확인하는 중</translation>
        </message>
        <message>
            <source>✓ ready to train</source>
            <translation>✓ 학습 준비 완료</translation>
        </message>
        <message>
            <source>Problems ({0})</source>
            <translation>문제 ({0})</translation>
        </message>
        <message>
            <source>{0} blocks · {1} parameters</source>
            <translation>블록 {0}개 · 파라미터 {1}개</translation>
        </message>
        <message>
            <source>&amp;Run</source>
            <translation>실행(&amp;R)</translation>
        </message>
        <message>
            <source>Stale: the weights were trained on a different structure. Train again, or undo the edit.</source>
            <translation>오래됨: 가중치가 다른 구조에서 학습되었습니다. 다시 학습하거나 편집을 되돌리세요.</translation>
        </message>
        <message>
            <source>The design is locked while it trains.</source>
            <translation>학습하는 동안에는 설계를 고칠 수 없습니다.</translation>
        </message>
        <message>
            <source>Editing unlocked.</source>
            <translation>다시 편집할 수 있습니다.</translation>
        </message>
        <message>
            <source>This design has no description (add one in the Training panel).</source>
            <translation>이 설계에는 설명이 없습니다 (학습 패널에서 추가하세요).</translation>
        </message>
        <message>
            <source>Model summary — {0}</source>
            <translation>모델 요약 — {0}</translation>
        </message>
        <message>
            <source>About NetDesigner</source>
            <translation>NetDesigner 정보</translation>
        </message>
        <message>
            <source>&lt;b&gt;NetDesigner&lt;/b&gt;&lt;br&gt;Design, train and understand neural networks on a canvas.&lt;br&gt;&lt;br&gt;Drag blocks from the palette, connect output ports to input ports, and watch shapes and parameter counts update as you edit.</source>
            <translation>&lt;b&gt;NetDesigner&lt;/b&gt;&lt;br&gt;캔버스에서 신경망을 설계하고, 학습하고, 이해합니다.&lt;br&gt;&lt;br&gt;팔레트에서 블록을 끌어다 놓고, 출력 포트를 입력 포트에 연결하세요. 편집하는 대로 모양과 파라미터 개수가 바로 바뀝니다.</translation>
        </message>
    </context>
    <context>
        <name>Palette</name>
        <message>
            <source>Filter blocks…</source>
            <translation>블록 찾기…</translation>
        </message>
        <message>
            <source>Type part of a name or of what a block does, e.g. “norm”</source>
            <translation>블록 이름이나 블록이 하는 일의 일부를 입력하세요. 예: “norm”, “정규화”</translation>
        </message>
        <message>
            <source>Drag a block onto the canvas, or double-click it to add it after the selected block.</source>
            <translation>블록을 캔버스로 끌어 놓거나, 더블클릭해서 선택한 블록 뒤에 추가하세요.</translation>
        </message>
        <message>
            <source>{0} blocks</source>
            <translation>{0} 블록</translation>
        </message>
    </context>
    <context>
        <name>Panel</name>
        <message>
            <source>Export image (PNG)…</source>
            <extracomment>file-name stem for exports event types handle() wants (the controller passes no others)</extracomment>
            <translation>이미지 내보내기 (PNG)…</translation>
        </message>
        <message>
            <source>Export data (CSV)…</source>
            <translation>데이터 내보내기 (CSV)…</translation>
        </message>
        <message>
            <source>PNG</source>
            <translation>PNG</translation>
        </message>
        <message>
            <source>CSV</source>
            <translation>CSV</translation>
        </message>
        <message>
            <source>Export image</source>
            <translation>이미지 내보내기</translation>
        </message>
        <message>
            <source>PNG images (*.png)</source>
            <translation>PNG 이미지 (*.png)</translation>
        </message>
        <message>
            <source>Export data</source>
            <translation>데이터 내보내기</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 파일 (*.csv)</translation>
        </message>
    </context>
    <context>
        <name>PreviewModel</name>
        <message>
            <source>feature</source>
            <translation>특성</translation>
        </message>
        <message>
            <source>target</source>
            <translation>타깃</translation>
        </message>
        <message>
            <source>ignored</source>
            <translation>무시</translation>
        </message>
        <message>
            <source>{0}: {1} values</source>
            <translation>{0}: 값 {1}개</translation>
        </message>
    </context>
    <context>
        <name>ProgressWidget</name>
        <message>
            <source>Ready</source>
            <translation>준비됨</translation>
        </message>
        <message>
            <source>Starting…</source>
            <translation>시작하는 중…</translation>
        </message>
        <message>
            <source>Compiling… (first run only)</source>
            <translation>컴파일하는 중… (처음 실행할 때만)</translation>
        </message>
        <message>
            <source>Training</source>
            <translation>학습</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>일시 정지됨</translation>
        </message>
        <message>
            <source>Epoch {0}/{1}</source>
            <translation>에포크 {0}/{1}</translation>
        </message>
        <message>
            <source>batch {0}/{1}</source>
            <translation>배치 {0}/{1}</translation>
        </message>
        <message>
            <source>{0:,.0f} samples/s</source>
            <translation>초당 샘플 {0:,.0f}개</translation>
        </message>
        <message>
            <source>ETA {0}</source>
            <translation>남은 시간 {0}</translation>
        </message>
    </context>
    <context>
        <name>ResultsPanel</name>
        <message>
            <source>Part of the data to evaluate</source>
            <translation>평가할 데이터 부분</translation>
        </message>
        <message>
            <source>Train a network to see its results here.</source>
            <translation>네트워크를 학습하면 여기에 결과가 나타납니다.</translation>
        </message>
        <message>
            <source>Test split</source>
            <translation>테스트 세트</translation>
        </message>
        <message>
            <source>Validation split</source>
            <translation>검증 세트</translation>
        </message>
        <message>
            <source>Training split</source>
            <translation>학습 세트</translation>
        </message>
        <message>
            <source>{0} ({1} samples): {2}</source>
            <translation>{0} (샘플 {1}개): {2}</translation>
        </message>
        <message>
            <source>Confusion matrix</source>
            <translation>혼동 행렬</translation>
        </message>
        <message>
            <source>predicted</source>
            <translation>예측</translation>
        </message>
        <message>
            <source>true</source>
            <translation>실제</translation>
        </message>
        <message>
            <source>ROC</source>
            <translation>ROC</translation>
        </message>
        <message>
            <source>false positive rate</source>
            <translation>거짓 양성 비율</translation>
        </message>
        <message>
            <source>true positive rate</source>
            <translation>참 양성 비율</translation>
        </message>
        <message>
            <source>Precision–recall</source>
            <translation>정밀도–재현율</translation>
        </message>
        <message>
            <source>recall</source>
            <translation>재현율</translation>
        </message>
        <message>
            <source>precision</source>
            <translation>정밀도</translation>
        </message>
        <message>
            <source>ROC, one vs rest — macro AUC {0:.3f}</source>
            <translation>ROC, 일대다 — 매크로 AUC {0:.3f}</translation>
        </message>
        <message>
            <source>Precision–recall — macro AP {0:.3f}</source>
            <translation>정밀도–재현율 — 매크로 AP {0:.3f}</translation>
        </message>
        <message>
            <source>ROC — AUC {0:.3f}</source>
            <translation>ROC — AUC {0:.3f}</translation>
        </message>
        <message>
            <source>Precision–recall — AP {0:.3f}</source>
            <translation>정밀도–재현율 — AP {0:.3f}</translation>
        </message>
        <message>
            <source>Predicted vs actual</source>
            <translation>예측값 대 실제값</translation>
        </message>
        <message>
            <source>actual</source>
            <translation>실제값</translation>
        </message>
        <message>
            <source>Residuals</source>
            <translation>잔차</translation>
        </message>
        <message>
            <source>predicted − actual</source>
            <translation>예측값 − 실제값</translation>
        </message>
    </context>
    <context>
        <name>RunHistoryPanel</name>
        <message>
            <source>Run</source>
            <translation>실행</translation>
        </message>
        <message>
            <source>When</source>
            <translation>시각</translation>
        </message>
        <message>
            <source>Ended</source>
            <translation>종료</translation>
        </message>
        <message>
            <source>Epochs</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>Loss</source>
            <translation>손실</translation>
        </message>
        <message>
            <source>Val. loss</source>
            <translation>검증 손실</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>변경</translation>
        </message>
        <message>
            <source>Compare</source>
            <translation>비교</translation>
        </message>
        <message>
            <source>Overlay the curves of the ticked runs (two or more)</source>
            <translation>체크한 실행(두 개 이상)의 곡선을 겹쳐 봅니다</translation>
        </message>
        <message>
            <source>Duplicate as Variant…</source>
            <translation>변형으로 복제…</translation>
        </message>
        <message>
            <source>Train the selected run again with one change: same data split, same seed</source>
            <translation>선택한 실행을 한 가지만 바꿔 다시 학습합니다: 같은 데이터 분할, 같은 시드</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>삭제</translation>
        </message>
        <message>
            <source>Delete the ticked runs from the history</source>
            <translation>체크한 실행을 기록에서 삭제합니다</translation>
        </message>
        <message>
            <source>{0} run files could not be read: {1}</source>
            <translation>실행 파일 {0}개를 읽을 수 없습니다: {1}</translation>
        </message>
        <message>
            <source>No runs yet: press Train (F5), or open Help ▸ Gallery.</source>
            <translation>아직 실행이 없습니다: 학습(F5)을 누르거나 도움말 ▸ 갤러리를 여세요.</translation>
        </message>
        <message>
            <source>Tick two or more runs and press Compare.</source>
            <translation>실행을 두 개 이상 체크하고 비교를 누르세요.</translation>
        </message>
    </context>
    <context>
        <name>SearchEditor</name>
        <message>
            <source>Search {0}</source>
            <translation>{0} 탐색</translation>
        </message>
        <message>
            <source>A study tries values of {0} in this range and keeps the best.</source>
            <translation>스터디가 이 범위에서 {0}의 값을 시험하고 가장 좋은 값을 남깁니다.</translation>
        </message>
        <message>
            <source>Whole numbers from … to …</source>
            <translation>정수 범위 (… 부터 … 까지)</translation>
        </message>
        <message>
            <source>Numbers from … to …</source>
            <translation>실수 범위 (… 부터 … 까지)</translation>
        </message>
        <message>
            <source>One of these values</source>
            <translation>다음 값 중 하나</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>탐색</translation>
        </message>
        <message>
            <source>any</source>
            <translation>제한 없음</translation>
        </message>
        <message>
            <source>Logarithmic scale (for rates and sizes spanning decades)</source>
            <translation>로그 스케일 (여러 자릿수에 걸친 학습률·크기에 적합)</translation>
        </message>
        <message>
            <source>comma-separated, e.g. 8, 16, 32</source>
            <translation>쉼표로 구분, 예: 8, 16, 32</translation>
        </message>
        <message>
            <source>From</source>
            <translation>시작</translation>
        </message>
        <message>
            <source>To</source>
            <translation>끝</translation>
        </message>
        <message>
            <source>Step</source>
            <translation>간격</translation>
        </message>
        <message>
            <source>Values</source>
            <translation>값</translation>
        </message>
    </context>
    <context>
        <name>StepThrough</name>
        <message>
            <source>Forward {0}/{1}: {2} computes its output from its input.</source>
            <translation>순전파 {0}/{1}: {2}이(가) 입력으로 출력을 계산합니다.</translation>
        </message>
        <message>
            <source>Loss: L = {0}, from the output and the target {1}.</source>
            <translation>손실: 출력과 타깃 {1}(으)로 계산한 L = {0}.</translation>
        </message>
        <message>
            <source>Backward: ∂L/∂output of {0}, by the chain rule from the blocks after it.</source>
            <translation>역전파: 뒤쪽 블록들에서 연쇄 법칙으로 구한 {0}의 ∂L/∂출력.</translation>
        </message>
        <message>
            <source>Update with {0}, η = {1}: every weight moves against its gradient.</source>
            <translation>{0}(으)로 업데이트, η = {1}: 모든 가중치가 기울기의 반대 방향으로 움직입니다.</translation>
        </message>
        <message>
            <source>Input {0}</source>
            <translation>입력 {0}</translation>
        </message>
        <message>
            <source>Input</source>
            <translation>입력</translation>
        </message>
        <message>
            <source>Output</source>
            <translation>출력</translation>
        </message>
        <message>
            <source>Gradient ∂L/∂output</source>
            <translation>기울기 ∂L/∂출력</translation>
        </message>
        <message>
            <source>… and {0} more</source>
            <translation>… 외 {0}개</translation>
        </message>
        <message>
            <source>∂L/∂{0}</source>
            <translation>∂L/∂{0}</translation>
        </message>
        <message>
            <source>Not reached yet: press Next.</source>
            <translation>아직 여기까지 오지 않았습니다: 다음을 누르세요.</translation>
        </message>
    </context>
    <context>
        <name>StepThroughPanel</name>
        <message>
            <source>Sample</source>
            <translation>샘플</translation>
        </message>
        <message>
            <source>Row of the training split the step starts at</source>
            <translation>이 스텝이 시작할 학습 세트의 행</translation>
        </message>
        <message>
            <source>Rows</source>
            <translation>행 수</translation>
        </message>
        <message>
            <source>1 steps one sample; more steps one mini-batch (gradients are its mean)</source>
            <translation>1이면 샘플 하나로, 더 크면 미니배치 하나로 스텝을 밟습니다 (기울기는 그 평균)</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>시작</translation>
        </message>
        <message>
            <source>◀ Back</source>
            <translation>◀ 이전</translation>
        </message>
        <message>
            <source>Next ▶</source>
            <translation>다음 ▶</translation>
        </message>
        <message>
            <source>Show All</source>
            <translation>모두 보기</translation>
        </message>
        <message>
            <source>Press Start to send the sample through the network.</source>
            <translation>시작을 누르면 샘플이 신경망을 통과합니다.</translation>
        </message>
    </context>
    <context>
        <name>StudyWindow</name>
        <message>
            <source>Study {0} — {1}</source>
            <translation>스터디 {0} — {1}</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>중지</translation>
        </message>
        <message>
            <source>Apply Best Trial</source>
            <translation>최고 시행 적용</translation>
        </message>
        <message>
            <source>Write the best trial's values into the design (undoable)</source>
            <translation>가장 좋은 시행의 값을 설계에 씁니다 (실행 취소 가능)</translation>
        </message>
        <message>
            <source>Double-click a trial to see its curves</source>
            <translation>시행을 두 번 클릭하면 학습 곡선을 봅니다</translation>
        </message>
        <message>
            <source>trial</source>
            <translation>시행</translation>
        </message>
        <message>
            <source>importance</source>
            <translation>중요도</translation>
        </message>
        <message>
            <source>History</source>
            <translation>최적화 기록</translation>
        </message>
        <message>
            <source>Parallel coordinates</source>
            <translation>평행 좌표</translation>
        </message>
        <message>
            <source>Importances</source>
            <translation>파라미터 중요도</translation>
        </message>
        <message>
            <source>Running {0} trials on {1} worker(s)…</source>
            <translation>작업자 {1}개로 시행 {0}회 실행 중…</translation>
        </message>
        <message>
            <source>Finished: {0} complete trials.</source>
            <translation>완료: 끝난 시행 {0}회.</translation>
        </message>
        <message>
            <source>{0} worker(s) stopped with an error.</source>
            <translation>작업자 {0}개가 오류로 멈췄습니다.</translation>
        </message>
        <message>
            <source>Apply trial {0}</source>
            <translation>시행 {0} 적용</translation>
        </message>
        <message>
            <source>Importances need at least 2 complete trials</source>
            <translation>중요도를 계산하려면 끝난 시행이 2회 이상 필요합니다</translation>
        </message>
        <message>
            <source>No importances yet: {0}</source>
            <translation>아직 중요도가 없습니다: {0}</translation>
        </message>
    </context>
    <context>
        <name>TimeGradientPanel</name>
        <message>
            <source>Gradient norm per time step of each recurrent layer (log scale)</source>
            <translation>순환 층마다 시간 단계별 기울기 노름 (로그 눈금)</translation>
        </message>
        <message>
            <source>First epoch</source>
            <translation>첫 에포크</translation>
        </message>
        <message>
            <source>Also show the first epoch's curves, faded, for comparison</source>
            <translation>비교할 수 있게 첫 에포크의 곡선도 흐리게 보여 줍니다</translation>
        </message>
        <message>
            <source>time step t (0 = first)</source>
            <translation>시간 단계 t (0 = 처음)</translation>
        </message>
        <message>
            <source>‖∂L/∂hₜ‖</source>
            <translation>‖∂L/∂hₜ‖</translation>
        </message>
        <message>
            <source>Add a SimpleRNN, LSTM or GRU block to see its gradients through time</source>
            <translation>SimpleRNN, LSTM 또는 GRU 블록을 추가하면 시간에 따른 기울기를 볼 수 있습니다</translation>
        </message>
        <message>
            <source>Train a design with a recurrent layer to see its gradients through time</source>
            <translation>순환 층이 있는 설계를 학습시키면 시간에 따른 기울기를 볼 수 있습니다</translation>
        </message>
        <message>
            <source>The gradients through time are measured at the end of each epoch…</source>
            <translation>시간에 따른 기울기는 에포크가 끝날 때마다 측정됩니다…</translation>
        </message>
        <message>
            <source>epoch {0}</source>
            <translation>에포크 {0}</translation>
        </message>
        <message>
            <source>Gradient norm per time step, epoch {0}</source>
            <translation>시간 단계별 기울기 노름, 에포크 {0}</translation>
        </message>
    </context>
    <context>
        <name>TrainingController</name>
        <message>
            <source>&amp;Train</source>
            <translation>학습(&amp;T)</translation>
        </message>
        <message>
            <source>Train the design with its training settings (F5)</source>
            <translation>설계를 학습 설정대로 학습합니다 (F5)</translation>
        </message>
        <message>
            <source>&amp;Pause</source>
            <translation>일시 정지(&amp;P)</translation>
        </message>
        <message>
            <source>Pause training (F6)</source>
            <translation>학습을 일시 정지합니다 (F6)</translation>
        </message>
        <message>
            <source>&amp;Resume</source>
            <translation>계속(&amp;R)</translation>
        </message>
        <message>
            <source>Resume training (F6)</source>
            <translation>학습을 계속합니다 (F6)</translation>
        </message>
        <message>
            <source>&amp;Stop</source>
            <translation>중지(&amp;S)</translation>
        </message>
        <message>
            <source>Stop training; the weights so far are kept (Shift+F5)</source>
            <translation>학습을 멈춥니다. 지금까지의 가중치는 유지됩니다 (Shift+F5)</translation>
        </message>
        <message>
            <source>&amp;Evaluate</source>
            <translation>평가(&amp;E)</translation>
        </message>
        <message>
            <source>Evaluate the trained network on the test split</source>
            <translation>학습된 네트워크를 테스트 세트로 평가합니다</translation>
        </message>
        <message>
            <source>Save Trained &amp;Weights…</source>
            <translation>학습된 가중치 저장(&amp;W)…</translation>
        </message>
        <message>
            <source>No Tint</source>
            <translation>색 표시 없음</translation>
        </message>
        <message>
            <source>Tint by Gradient Norm</source>
            <translation>기울기 노름으로 색 표시</translation>
        </message>
        <message>
            <source>Tint by Weight Magnitude</source>
            <translation>가중치 크기로 색 표시</translation>
        </message>
        <message>
            <source>Starting…</source>
            <translation>시작하는 중…</translation>
        </message>
        <message>
            <source>Training started</source>
            <translation>학습을 시작했습니다</translation>
        </message>
        <message>
            <source>Cannot train: {0}</source>
            <translation>학습할 수 없습니다: {0}</translation>
        </message>
        <message>
            <source>Cannot train: {0} problems; the first: {1}</source>
            <translation>학습할 수 없습니다: 문제 {0}개, 첫 번째: {1}</translation>
        </message>
        <message>
            <source>Cannot train</source>
            <translation>학습할 수 없습니다</translation>
        </message>
        <message>
            <source>Pausing…</source>
            <translation>일시 정지하는 중…</translation>
        </message>
        <message>
            <source>Stopping…</source>
            <translation>멈추는 중…</translation>
        </message>
        <message>
            <source>Training is running</source>
            <translation>학습 중입니다</translation>
        </message>
        <message>
            <source>Changing this parameter restarts training. Stop the current run and restart with the change?</source>
            <translation>이 파라미터를 바꾸면 학습을 다시 시작합니다. 지금 실행을 멈추고 바뀐 설정으로 다시 시작할까요?</translation>
        </message>
        <message>
            <source>Training diverged</source>
            <translation>학습이 발산했습니다</translation>
        </message>
        <message>
            <source>Could not plot the results: {0}</source>
            <translation>결과를 그리지 못했습니다: {0}</translation>
        </message>
        <message>
            <source>Training failed</source>
            <translation>학습 실패</translation>
        </message>
        <message>
            <source>Cannot evaluate</source>
            <translation>평가할 수 없습니다</translation>
        </message>
        <message>
            <source>Test split: {0}</source>
            <translation>테스트 세트: {0}</translation>
        </message>
        <message>
            <source>Evaluation</source>
            <translation>평가</translation>
        </message>
        <message>
            <source>Save trained weights</source>
            <translation>학습된 가중치 저장</translation>
        </message>
        <message>
            <source>Weights (*.npz)</source>
            <translation>가중치 (*.npz)</translation>
        </message>
        <message>
            <source>Cannot save the weights</source>
            <translation>가중치를 저장할 수 없습니다</translation>
        </message>
        <message>
            <source>Weights written to {0}</source>
            <translation>가중치를 {0}에 저장했습니다</translation>
        </message>
        <message>
            <source>Ready</source>
            <translation>준비됨</translation>
        </message>
    </context>
    <context>
        <name>TrainingWorker</name>
        <message>
            <source>Loading data and building the network…</source>
            <translation>데이터를 읽고 네트워크를 만드는 중…</translation>
        </message>
        <message>
            <source>Starting the training process…</source>
            <translation>학습 프로세스를 시작하는 중…</translation>
        </message>
        <message>
            <source>The training process ended unexpectedly (exit code {0}).</source>
            <translation>학습 프로세스가 예기치 않게 끝났습니다 (종료 코드 {0}).</translation>
        </message>
    </context>
    <context>
        <name>TrialCurves</name>
        <message>
            <source>Trial {0}</source>
            <translation>시행 {0}</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>에포크</translation>
        </message>
        <message>
            <source>This trial recorded no epochs.</source>
            <translation>이 시행은 기록된 에포크가 없습니다.</translation>
        </message>
    </context>
    <context>
        <name>TrialsModel</name>
        <message>
            <source>Trial</source>
            <translation>시행</translation>
        </message>
        <message>
            <source>State</source>
            <translation>상태</translation>
        </message>
        <message>
            <source>Value</source>
            <translation>값</translation>
        </message>
        <message>
            <source>Seconds</source>
            <translation>초</translation>
        </message>
        <message>
            <source>complete</source>
            <translation>완료</translation>
        </message>
        <message>
            <source>pruned</source>
            <translation>가지치기됨</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>실패</translation>
        </message>
        <message>
            <source>running</source>
            <translation>실행 중</translation>
        </message>
        <message>
            <source>waiting</source>
            <translation>대기</translation>
        </message>
    </context>
    <context>
        <name>Tune</name>
        <message>
            <source>Searched {0}: {1}</source>
            <translation>탐색 대상 {0}: {1}</translation>
        </message>
    </context>
    <context>
        <name>TuneDialog</name>
        <message>
            <source>Tune Hyper-parameters</source>
            <translation>하이퍼파라미터 튜닝</translation>
        </message>
        <message>
            <source>Search space</source>
            <translation>탐색 공간</translation>
        </message>
        <message>
            <source>Right-click a parameter's name in the Block panel and choose Search This… to search a block parameter; add training settings here.</source>
            <translation>블록 파라미터를 탐색하려면 블록 패널에서 파라미터 이름을 오른쪽 클릭하고 "이 값 탐색…"을 고르세요. 학습 설정은 여기에서 추가합니다.</translation>
        </message>
        <message>
            <source>Parameter</source>
            <translation>파라미터</translation>
        </message>
        <message>
            <source>Values tried</source>
            <translation>시험할 값</translation>
        </message>
        <message>
            <source>Add Setting…</source>
            <translation>설정 추가…</translation>
        </message>
        <message>
            <source>Edit…</source>
            <translation>편집…</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>제거</translation>
        </message>
        <message>
            <source>Study</source>
            <translation>스터디</translation>
        </message>
        <message>
            <source>Bayesian (TPE): learns where good values lie</source>
            <translation>베이즈 최적화 (TPE): 좋은 값이 있는 곳을 학습</translation>
        </message>
        <message>
            <source>Random: independent draws</source>
            <translation>무작위: 독립적으로 추출</translation>
        </message>
        <message>
            <source>Grid: every combination of a few values each</source>
            <translation>그리드: 몇 개 값의 모든 조합</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>방법</translation>
        </message>
        <message>
            <source>Trials</source>
            <translation>시행 횟수</translation>
        </message>
        <message>
            <source>Worker processes on this computer; each gets its share of the cores</source>
            <translation>이 컴퓨터의 작업자 프로세스 수. 각 작업자는 코어를 나누어 씁니다</translation>
        </message>
        <message>
            <source>Parallel workers</source>
            <translation>병렬 작업자</translation>
        </message>
        <message>
            <source>as designed</source>
            <translation>설계대로</translation>
        </message>
        <message>
            <source>Epochs per trial</source>
            <translation>시행당 에포크</translation>
        </message>
        <message>
            <source>Optimise</source>
            <translation>최적화 대상</translation>
        </message>
        <message>
            <source>a temporary file; or sqlite:///…, postgresql+psycopg://…, journal:///…</source>
            <translation>임시 파일, 또는 sqlite:///…, postgresql+psycopg://…, journal:///…</translation>
        </message>
        <message>
            <source>Workers on other computers join the study with
netdesigner tune DESIGN --storage URL --study NAME</source>
            <translation>다른 컴퓨터의 작업자는 다음 명령으로 스터디에 참여합니다:
netdesigner tune DESIGN --storage URL --study NAME</translation>
        </message>
        <message>
            <source>Storage</source>
            <translation>저장소</translation>
        </message>
        <message>
            <source>Study name</source>
            <translation>스터디 이름</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>시작</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>닫기</translation>
        </message>
        <message>
            <source>Stop searching {0}</source>
            <translation>{0} 탐색 중지</translation>
        </message>
    </context>
    <context>
        <name>VariantDialog</name>
        <message>
            <source>Duplicate as Variant</source>
            <translation>변형으로 복제</translation>
        </message>
        <message>
            <source>Train this run's design again with one change. The seed and the data split stay the same, so the change is the only difference.</source>
            <translation>이 실행의 설계를 한 가지만 바꿔 다시 학습합니다. 시드와 데이터 분할은 그대로이므로 바꾼 것만 다릅니다.</translation>
        </message>
        <message>
            <source>Change:</source>
            <translation>변경:</translation>
        </message>
        <message>
            <source>New value:</source>
            <translation>새 값:</translation>
        </message>
        <message>
            <source>Train Variant</source>
            <translation>변형 학습</translation>
        </message>
    </context>
    <context>
        <name>WeightsPanel</name>
        <message>
            <source>Weight distribution of a layer, now and over training</source>
            <translation>층의 가중치 분포 (현재와 학습 동안의 변화)</translation>
        </message>
        <message>
            <source>Layer to show</source>
            <translation>보여 줄 층</translation>
        </message>
        <message>
            <source>Histogram</source>
            <translation>히스토그램</translation>
        </message>
        <message>
            <source>weight value</source>
            <translation>가중치 값</translation>
        </message>
        <message>
            <source>count</source>
            <translation>개수</translation>
        </message>
        <message>
            <source>Distribution over training</source>
            <translation>학습 동안의 분포</translation>
        </message>
        <message>
            <source>epoch</source>
            <translation>에포크</translation>
        </message>
    </context>
    <context>
        <name>bar</name>
        <message>
            <source>Intervene</source>
            <translation>개입</translation>
        </message>
        <message>
            <source>&amp;Intervene While Training</source>
            <translation>학습 중 개입(&amp;I)</translation>
        </message>
        <message>
            <source>Change the learning rate or freeze a layer while the run goes on</source>
            <translation>실행을 계속하면서 학습률을 바꾸거나 층을 동결합니다</translation>
        </message>
    </context>
    <context>
        <name>panel</name>
        <message>
            <source>Diagnosis</source>
            <translation>진단</translation>
        </message>
        <message>
            <source>Check &amp;Initialization</source>
            <translation>초기화 점검(&amp;I)</translation>
        </message>
        <message>
            <source>One forward and backward pass before training: each layer's spread and problems of the initialization</source>
            <translation>학습 전에 순전파와 역전파를 한 번 해서 층마다 값이 퍼진 정도와 초기화의 문제를 보여 줍니다</translation>
        </message>
        <message>
            <source>Step Through</source>
            <translation>한 단계씩 보기</translation>
        </message>
        <message>
            <source>Step &amp;Through Backpropagation…</source>
            <translation>역전파 한 단계씩 보기(&amp;T)…</translation>
        </message>
        <message>
            <source>Send one sample through forward and backward and see every number, and the update</source>
            <translation>샘플 하나를 순전파와 역전파로 보내 모든 숫자와 업데이트를 봅니다</translation>
        </message>
    </context>
    <context>
        <name>results</name>
        <message>
            <source>Train a network to see its results here.</source>
            <translation>네트워크를 학습하면 여기에 결과가 나타납니다.</translation>
        </message>
    </context>
</TS>
